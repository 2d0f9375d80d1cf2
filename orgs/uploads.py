"""Uploads: a size limit that stops reading the request as soon as a file passes it, and a check that a file's
content is what its extension says.

**Size.** Django reads the whole multipart body before a view runs, so a limit checked in the view or the
service comes after the server has received (and written to a temporary file) everything sent: 300 MB, then a
refusal. ``SizeLimitUploadHandler`` is the first of ``settings.FILE_UPLOAD_HANDLERS``; it counts each file's
bytes as they arrive and stops the upload (``StopUpload``) at the limit of the view the request goes to:

* a view that takes files declares its limit with ``@upload_limit(lambda request: <MB>)`` — usually the school's
  policy — and calls ``upload_refused(request)`` first: after a stop the request holds only the fields read
  before the file, so the view must answer with the message and save nothing;
* any other view takes no files: a file over ``UNDECLARED_MAX_MB`` is a 400 (``RequestDataTooBig``).

The rest of the body is not read when it is large (``connection_reset``); a body at most ``DRAIN_MB`` over the
limit is read to its end and thrown away, so the browser of someone who chose a slightly too large file still
gets the page with the message. ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds the non-file fields (and JSON bodies).

**Content.** ``content_error(upload, allowed)`` refuses an extension that is not allowed, a binary file whose
magic bytes are another type's (an .exe renamed .pdf), and a text file (.txt, .csv) that holds NUL bytes or is
neither UTF-8 nor GB18030. Binary types are recognised by ``filetype``.
"""

import codecs
from collections.abc import Callable
from pathlib import PurePath

import filetype
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

MB = 1024 * 1024
#: Files sent to a view that declares no limit (it takes no files) are refused past this size.
UNDECLARED_MAX_MB = 2
#: How far past the limit a body is still read to its end (so the page with the message reaches the browser).
DRAIN_MB = 16


def upload_limit(limit_mb: Callable[..., int], *, max_files: int = 1):
    """Declare the largest file a view accepts, in MB: ``limit_mb(request)`` (the request's user and school are
    known when the body is read). ``max_files`` bounds the whole body: ``max_files`` files at the limit."""

    def decorate(view):
        view.upload_limit_mb, view.upload_max_files = limit_mb, max_files
        return view

    return decorate


def upload_refused(request) -> str | None:
    """The message when the upload was stopped at the limit (the view must then save nothing), else None. Reads
    the body first if nothing has (the CSRF check usually has)."""
    request.FILES  # noqa: B018 - parses the body: the handler runs now at the latest
    return getattr(request, "_upload_refused", None)


class SizeLimitUploadHandler(FileUploadHandler):
    """Counts every file's bytes and stops the upload at the limit of the view the request goes to."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.body_length = content_length or 0
        self.total = 0
        try:
            view = resolve(self.request.path_info).func
        except Resolver404:
            view = None
        declared = getattr(view, "upload_limit_mb", None)
        self.declared = declared is not None
        self.limit_mb = declared(self.request) if declared is not None else UNDECLARED_MAX_MB
        self.total_limit = self.limit_mb * MB * (getattr(view, "upload_max_files", 1) if declared else 1)
        return None  # the parsing itself is Django's

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        self.total += len(raw_data)
        if self.received > self.limit_mb * MB or self.total > self.total_limit:
            if not self.declared:
                raise RequestDataTooBig(f"a file over {self.limit_mb} MB sent to a view that takes no files")
            self.request._upload_refused = _("文件“%(name)s”超过 %(mb)s MB 的上限。") % {
                "name": PurePath(self.file_name or "").name, "mb": self.limit_mb}
            raise StopUpload(connection_reset=self.body_length > self.total_limit + DRAIN_MB * MB)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers (memory, then temporary file) keep the data


# --- content ---

#: Extension → the types ``filetype`` may recognise in such a file. Office Open XML and OpenDocument files are
#: zip archives (``filetype`` names them only when their first entry says so); the legacy Office formats share
#: one container (OLE), so .doc, .xls and .ppt accept each other's signature.
BINARY_TYPES = {
    "pdf": {"pdf"},
    "docx": {"docx", "zip"}, "xlsx": {"xlsx", "zip"}, "pptx": {"pptx", "zip"},
    "odt": {"odt", "zip"}, "ods": {"ods", "zip"}, "odp": {"odp", "zip"},
    "doc": {"doc", "xls", "ppt"}, "xls": {"doc", "xls", "ppt"}, "ppt": {"doc", "xls", "ppt"},
    "jpg": {"jpg"}, "jpeg": {"jpg"}, "png": {"png"}, "gif": {"gif"}, "webp": {"webp"}, "bmp": {"bmp"},
    "heic": {"heic"},
    "zip": {"zip", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"}, "rar": {"rar"}, "7z": {"7z"},
    "mp3": {"mp3"}, "m4a": {"m4a"}, "mp4": {"mp4", "m4v"}, "mov": {"mov"},
}
TEXT_TYPES = {"txt", "csv", "md"}
#: What a text file may be encoded in (GB18030 is a superset of GBK and GB2312).
TEXT_CODECS = ("utf-8-sig", "gb18030")
_CHUNK = 1024 * 1024


def extension(name: str) -> str:
    return PurePath(name or "").suffix.lower().removeprefix(".")


def _is_text(upload) -> bool:
    for codec in TEXT_CODECS:
        decoder = codecs.getincrementaldecoder(codec)()
        upload.seek(0)
        try:
            while chunk := upload.read(_CHUNK):
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return True
    return False


def content_error(upload, allowed) -> str | None:
    """Why ``upload`` is refused (in Chinese), or None: its extension must be one of ``allowed`` and its content
    of that type. Reads the file from the start and leaves it at the start."""
    name, ext = PurePath(upload.name or "").name, extension(upload.name)
    if ext not in allowed:
        return _("不支持“%(name)s”的文件类型。可以上传：%(types)s。") % {
            "name": name, "types": "、".join(sorted(allowed))}
    try:
        if ext in TEXT_TYPES:
            ok = _is_text(upload)
        else:
            upload.seek(0)
            kind = filetype.guess(upload.read(8192))
            ok = kind is not None and kind.extension in BINARY_TYPES.get(ext, {ext})
    finally:
        upload.seek(0)
    if not ok:
        return _("文件“%(name)s”的内容与扩展名 .%(ext)s 不符，请上传真正的 %(ext)s 文件。") % {"name": name, "ext": ext}
    return None
