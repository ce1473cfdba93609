"""Covers and PDFs on the library page: staff upload them with the item, the item's card opens the
PDF and shows the cover, both served publicly at an unguessable address with the checked type; a
wrong type, a disguised file or an oversized one is refused beside its field; only staff upload."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from models import StaffRole
from models.publication import Publication, PublicationFile
from tests.admin.support import add_account, add_alumnus, csrf_token, login
from tests.news.support import PDF, png

NEW = "/admin/publications/new"
GOOD = {"category": "校报", "title": "校报第 1300 期", "summary": "新图书馆启用", "url": "",
        "picture_url": ""}


def upload(client, path: str = NEW, fields: dict | None = None, **files):
    token = csrf_token(client.get(path).text)
    data = {**GOOD, **(fields or {}), "csrf_token": token}
    for field, (content, name) in files.items():
        data[field] = (io.BytesIO(content), name)
    return client.post(path, data=data, content_type="multipart/form-data")


def stored(runtime) -> tuple[list[Publication], list[PublicationFile]]:
    with runtime.sessions() as session:
        return (list(session.scalars(select(Publication))),
                list(session.scalars(select(PublicationFile).order_by(PublicationFile.id))))


def test_a_pdf_and_a_cover_uploaded_with_an_item_are_what_its_card_opens_and_shows(
        admin_client, runtime, client):
    cover = png()
    answer = upload(admin_client, cover=(cover, "封面.png"), pdf=(PDF, "1300.pdf"))
    assert answer.status_code == 302
    [row], files = stored(runtime)
    assert [(f.kind, f.content_type, f.size) for f in files] == [
        ("cover", "image/png", len(cover)), ("pdf", "application/pdf", len(PDF))]
    base = runtime.config.app.base_url
    assert row.url == f"{base}/api/v1/news/files/{files[1].token}.pdf"
    assert row.picture_url == f"{base}/api/v1/news/files/{files[0].token}.png"
    assert len(files[0].token) == 32 and files[0].token != files[1].token
    page = admin_client.get(answer.headers["Location"]).text
    assert f'src="{row.picture_url}"' in page and "PDF</span>" in page

    got = client.get(row.url.removeprefix(base))  # public: no login
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    image = client.get(row.picture_url.removeprefix(base))
    assert image.data == cover and image.headers["Content-Type"] == "image/png"
    assert "sandbox" in image.headers["Content-Security-Policy"]


def test_files_are_found_only_by_their_whole_token_and_extension(admin_client, runtime, client):
    upload(admin_client, pdf=(PDF, "a.pdf"))
    [_], [pdf] = stored(runtime)
    assert client.get(f"/api/v1/news/files/{pdf.token}.pdf").status_code == 200
    for name in (f"{pdf.token}.png", f"{pdf.token[:-1]}.pdf", f"{pdf.token}", "1.pdf",
                 f"{pdf.token.upper()}.pdf"):
        assert client.get(f"/api/v1/news/files/{name}").status_code == 404, name


@pytest.mark.parametrize(("field", "content", "name", "message"), [
    ("cover", b"GIF89a" + b"\0" * 40, "a.gif", "封面图片只能是 JPG 或 PNG"),
    ("cover", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.png",
     "封面图片只能是 JPG 或 PNG"),
    ("cover", b"\x89PNG\r\n\x1a\n" + b"not really", "a.png", "封面图片无法读取"),
    ("cover", b"", "a.png", "封面图片是空文件"),
    ("pdf", b"<html><script>alert(1)</script></html>", "a.pdf", "只能上传 PDF 文件"),
    ("pdf", png(), "a.pdf", "只能上传 PDF 文件"),
    ("cover", png(5000, 10), "wide.png", "边长最多 4096 像素"),
    ("pdf", b"", "a.pdf", "PDF 是空文件"),
])
def test_a_bad_file_is_refused_beside_its_field_and_nothing_is_kept(admin_client, runtime, field,
                                                                    content, name, message):
    answer = upload(admin_client, **{field: (content, name)})
    assert answer.status_code == 200
    assert message in answer.text
    assert stored(runtime) == ([], [])


def test_an_oversized_cover_is_refused(admin_client, runtime):
    big = png() + b"\0" * (2 * 1024 * 1024)
    answer = upload(admin_client, fields={"url": "https://news.example.edu/1"}, cover=(big, "big.png"))
    assert answer.status_code == 200 and "封面图片最大 2 MB" in answer.text
    assert stored(runtime) == ([], [])


def test_a_form_larger_than_both_files_may_be_is_refused_before_it_is_read(admin_client, runtime):
    huge = b"%PDF-" + b"\0" * (13 * 1024 * 1024)
    answer = upload(admin_client, pdf=(huge, "huge.pdf"))
    assert answer.status_code == 302
    assert "上传的文件太大" in admin_client.get(answer.headers["Location"]).text
    assert stored(runtime) == ([], [])


def test_replacing_the_pdf_on_edit_keeps_the_old_file_for_pushes_already_sent(admin_client,
                                                                             runtime, client):
    upload(admin_client, pdf=(PDF, "v1.pdf"))
    [row], [first] = stored(runtime)
    second_pdf = PDF.replace(b"1.4", b"1.7")
    answer = upload(admin_client, f"/admin/publications/{row.id}/edit", pdf=(second_pdf, "v2.pdf"))
    assert answer.status_code == 302
    [row], files = stored(runtime)
    assert len(files) == 2 and row.url.endswith(f"{files[1].token}.pdf")
    assert client.get(f"/api/v1/news/files/{first.token}.pdf").data == PDF


def test_a_post_without_the_csrf_token_uploads_nothing(admin_client, runtime):
    data = {**GOOD, "pdf": (io.BytesIO(PDF), "a.pdf")}
    answer = admin_client.post(NEW, data=data, content_type="multipart/form-data")
    assert answer.status_code == 400
    assert stored(runtime) == ([], [])


def test_only_admin_and_staff_upload(app, runtime):
    with runtime.sessions.begin() as session:
        add_alumnus(session, college="计算机学院")
    add_account(runtime, "计院", StaffRole.COLLEGE, college="计算机学院")
    liaison = app.test_client()
    login(liaison, "计院")
    token = csrf_token(liaison.get("/admin/password").text)
    answer = liaison.post(NEW, data={**GOOD, "csrf_token": token, "pdf": (io.BytesIO(PDF), "a.pdf")},
                          content_type="multipart/form-data")
    assert answer.status_code == 403
    assert stored(runtime) == ([], [])


def test_an_item_needs_a_link_or_a_pdf(admin_client, runtime):
    answer = upload(admin_client)
    assert answer.status_code == 200 and "请填写链接，或上传 PDF 文件" in answer.text
    assert stored(runtime) == ([], [])
