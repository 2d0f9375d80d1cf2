"""Uploads (orgs/uploads.py): a file's content must match its extension, and a file past its view's limit is
stopped while it arrives — the body is not read to its end, nothing is kept, and the page says why in Chinese.

``stream_post`` sends a multipart body of any size through Django's request handler without holding it in
memory: the file's bytes are generated as the parser reads them, and the test counts how many were read."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.test.client import ClientHandler

from orgs.uploads import content_error

BOUNDARY = "----campus-upload-test"


class GeneratedBody(io.RawIOBase):
    """A multipart body: ``head``, then ``size`` bytes of file made on demand, then ``tail``. Counts what is read."""

    def __init__(self, head: bytes, size: int, tail: bytes, fill: bytes = b"x"):
        self.parts = [(head, len(head)), (None, size), (tail, len(tail))]
        self.length = len(head) + size + len(tail)
        self.position = 0
        self.fill = fill

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.position >= self.length:
            return 0
        n = min(len(buffer), self.length - self.position, 1024 * 1024)
        out, offset, start = bytearray(), 0, self.position
        for data, length in self.parts:
            if start < offset + length and len(out) < n:
                take_from = max(start - offset, 0)
                take = min(length - take_from, n - len(out))
                out += data[take_from:take_from + take] if data is not None else self.fill * take
                start += take
            offset += length
        buffer[:len(out)] = out
        self.position += len(out)
        return len(out)


def multipart_body(fields: dict, file_field: str, file_name: str, size: int, fill: bytes = b"x") -> GeneratedBody:
    head = b""
    for name, value in {"csrfmiddlewaretoken": CSRF_TOKEN, **fields}.items():
        head += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n').encode()
    head += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode()
    return GeneratedBody(head, size, f"\r\n--{BOUNDARY}--\r\n".encode(), fill)


CSRF_TOKEN = "a" * 32  # a CSRF secret: the cookie and the form's field carry it, as a browser's form does


def stream_post(client, path: str, body: GeneratedBody):
    """POST ``body`` to ``path`` as ``client``'s logged-in user, through the handler the test client uses, with
    the CSRF check on (it reads the body before the view, as in production). ``body`` starts with the token."""
    cookies = client.cookies.output(attrs=[], header="", sep=";").strip()
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, REQUEST_METHOD="POST", CONTENT_TYPE=f"multipart/form-data; boundary={BOUNDARY}",
        CONTENT_LENGTH=str(body.length), HTTP_COOKIE=f"{cookies}; csrftoken={CSRF_TOKEN}",
    )
    environ["wsgi.input"] = io.BufferedReader(body, buffer_size=64 * 1024)
    response = ClientHandler(enforce_csrf_checks=True)(environ)
    client.cookies.update(response.cookies)  # the messages for the next page
    return response


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


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
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
