"""Pages are Chinese unless the user chose English, whatever the browser asks for."""

from __future__ import annotations

from django.test import Client


def test_chinese_by_default_even_for_an_english_browser(db: None) -> None:
    response = Client().get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    assert "用户名" in response.content.decode()


def test_english_when_chosen(db: None) -> None:
    client = Client()
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert switched.status_code == 302
    response = client.get("/admin/login/")
    assert response.headers["Content-Language"] == "en"
    assert "Username" in response.content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(db: None) -> None:
    client = Client()
    client.cookies["django_language"] = "xx"
    response = client.get("/admin/login/")
    assert response.headers["Content-Language"] == "zh-hans"
