"""Uploads (orgs/uploads.py): a file's content must match its extension, and a file past its view's limit is
stopped while it arrives — the body is not read to its end, nothing is kept, and the page says why in Chinese.

``stream_post`` (orgs/tests/uploads.py) sends a multipart body of any size through Django's request handler
without holding it in memory: the file's bytes are generated as the parser reads them, and the test counts how
many were read."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orgs.tests.uploads import EXE, multipart_body
from orgs.uploads import content_error


def test_the_generated_body_is_what_it_says():
    body = multipart_body({"note": "说明"}, "files", "a.pdf", 10)
    data = body.read()
    assert len(data) == body.length and data.count(b"x" * 10) == 1 and "说明".encode() in data


# --- content ---


def _file(name, content):
    return SimpleUploadedFile(name, content)


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


ALLOWED = ("pdf", "docx", "jpg", "png", "txt", "csv", "zip")


@pytest.mark.parametrize(("name", "content"), [
    ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), ("总结.docx", _docx()),
    ("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20),
    ("名单.csv", "姓名,学号\n张三,20250101\n".encode("gb18030")), ("notes.txt", "会议记录".encode()),
    ("notes.txt", "\ufeff会议记录".encode("utf-8")), ("archive.zip", _docx()),
])
def test_a_file_whose_content_matches_its_extension_is_accepted(name, content):
    upload = _file(name, content)
    assert content_error(upload, ALLOWED) is None
    assert upload.tell() == 0


@pytest.mark.parametrize(("name", "content", "message"), [
    ("report.pdf", EXE, "的内容与扩展名 .pdf 不符"),
    ("总结.docx", EXE, "的内容与扩展名 .docx 不符"),
    ("photo.jpg", b"%PDF-1.7\n", "的内容与扩展名 .jpg 不符"),
    ("notes.txt", EXE, "的内容与扩展名 .txt 不符"),
    ("名单.csv", "姓名\n张三\x00\n".encode(), "的内容与扩展名 .csv 不符"),
    ("setup.exe", EXE, "不支持“setup.exe”的文件类型"),
    ("no-extension", b"hello", "不支持“no-extension”的文件类型"),
])
def test_a_file_whose_content_is_another_type_is_refused_in_chinese(name, content, message):
    assert message in content_error(_file(name, content), ALLOWED)
