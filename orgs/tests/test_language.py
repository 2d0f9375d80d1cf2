"""Chinese first: an English browser still gets Chinese; English only when the user chooses it."""

import pytest


@pytest.mark.django_db
def test_pages_are_chinese_whatever_the_browser_says(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "用户名或学号" in page.content.decode()
    assert page["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_english_once_chosen_with_the_switcher(client):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert switched.status_code == 302
    page = client.get("/login/")
    assert page["Content-Language"] == "en"
    assert "用户名或学号" not in page.content.decode()
    assert "Username or student number" in page.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert "用户名或学号" in client.get("/login/").content.decode()
