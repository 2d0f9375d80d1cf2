"""Uploads for the upload tests: a multipart body generated as it is read (a large file without holding it in
memory), its streamed POST through the test client's handler, and the first bytes of a Windows program."""

import io

from django.test import RequestFactory
from django.test.client import ClientHandler

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


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
