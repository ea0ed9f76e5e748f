"""Lockout per (account, IP) and throttle per IP (SEC-AUTH-4, SECURITY.md §5 scenarios 5 and 6).

The clock is moved by patching ``django.utils.timezone.now`` and the two names django-axes
imported from it (freezegun is not installed).
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import SESSION_KEY
from django.test import Client

from fangpin.core.models import AuditEvent, User
from tests.core.conftest import PASSWORD, Clock

OFFICE = "10.20.30.40"
ELSEWHERE = "10.99.0.7"
LOCKED = "登录失败次数过多，请30分钟后再试"
THROTTLED = "此网络地址登录失败次数过多，请15分钟后再试"


def attempt(username: str, password: str, *, ip: str = OFFICE, client: Client | None = None) -> Any:
    """POST the admin login form from ``ip``; returns the response."""
    client = client or Client()
    response = client.post(
        "/admin/login/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )
    response.logged_in = SESSION_KEY in client.session
    return response


def fail_times(n: int, username: str = "county_433124", ip: str = OFFICE) -> list[int]:
    return [attempt(username, "wrong-password-x", ip=ip).status_code for _ in range(n)]


def test_a_right_password_logs_in(official: User) -> None:
    response = attempt("county_433124", PASSWORD)
    assert response.status_code == 302
    assert response.logged_in is True


def test_the_fifth_failure_locks_and_the_sixth_attempt_is_refused_despite_the_password(
    official: User,
) -> None:
    assert fail_times(4) == [200, 200, 200, 200]  # the form again, with the generic error

    fifth = attempt("county_433124", "wrong-password-x")
    sixth = attempt("county_433124", PASSWORD)

    assert fifth.status_code == 429
    assert LOCKED in fifth.content.decode()
    assert sixth.status_code == 429
    assert LOCKED in sixth.content.decode()
    assert sixth.logged_in is False


def test_a_lock_on_one_ip_leaves_the_same_account_usable_from_another(official: User) -> None:
    fail_times(5, ip=OFFICE)

    assert attempt("county_433124", PASSWORD, ip=OFFICE).status_code == 429
    from_elsewhere = attempt("county_433124", PASSWORD, ip=ELSEWHERE)
    assert from_elsewhere.status_code == 302
    assert from_elsewhere.logged_in is True


def test_the_lock_holds_within_the_cooloff_and_lifts_after_it(official: User, clock: Clock) -> None:
    fail_times(5)

    clock.advance(minutes=29)
    assert attempt("county_433124", PASSWORD).status_code == 429
    # A refused attempt is a failure too: the 30 minutes run from the last one.
    clock.advance(minutes=29)
    assert attempt("county_433124", PASSWORD).status_code == 429
    clock.advance(minutes=31)
    after = attempt("county_433124", PASSWORD)
    assert after.status_code == 302
    assert after.logged_in is True


def test_a_success_resets_the_count(official: User) -> None:
    fail_times(4)
    assert attempt("county_433124", PASSWORD).status_code == 302

    assert fail_times(4) == [200, 200, 200, 200]
    assert attempt("county_433124", PASSWORD).status_code == 302


def test_unknown_usernames_lock_the_same_way_so_the_page_reveals_nothing(db: Any) -> None:
    assert fail_times(5, username="no_such_user") == [200, 200, 200, 200, 429]


def test_one_ip_spraying_fifty_usernames_is_throttled_without_locking_anyone(
    official: User, clock: Clock
) -> None:
    """SECURITY.md scenario 6: one IP tries 50 usernames; it is throttled after 20."""
    others = [
        User.objects.create_user(username=f"village_{n}", password=PASSWORD, is_staff=True)
        for n in range(3)
    ]
    usernames = [user.username for user in [official, *others]] + [
        f"guess_{n:02d}" for n in range(46)
    ]
    assert len(usernames) == 50

    first = [attempt(name, "Password123!").status_code for name in usernames[:20]]
    # The 21st attempt, a real account with its right password, is refused all the same.
    refused = attempt("county_433124", PASSWORD)
    rest = [attempt(name, "Password123!").status_code for name in usernames[20:]]

    assert first == [200] * 19 + [429]  # each username has failed only once; the 20th trips it
    assert refused.status_code == 429
    assert THROTTLED in refused.content.decode()
    assert refused.logged_in is False
    assert rest == [429] * 30
    # No account is locked: every real user still logs in from their own office.
    for user in [official, *others]:
        assert attempt(user.username, PASSWORD, ip=ELSEWHERE).logged_in is True
    assert AuditEvent.objects.filter(action="auth.lockout").count() == 0
    assert AuditEvent.objects.filter(action="auth.ip_throttled").count() == 1
    # The throttle slides: 15 minutes after the last failure the IP may try again.
    clock.advance(minutes=16)
    assert attempt("county_433124", PASSWORD).logged_in is True


def test_every_failure_is_kept_and_the_lockout_is_audited_once(official: User) -> None:
    fail_times(7)

    failures = AccessFailureLog.objects.filter(username="county_433124", ip_address=OFFICE)
    assert failures.count() == 7
    assert AccessAttempt.objects.get(username="county_433124").failures_since_start == 7
    lockouts = list(AuditEvent.objects.filter(action="auth.lockout"))
    assert len(lockouts) == 1
    event = lockouts[0]
    assert event.object_type == "user_login"
    assert event.object_id == "county_433124"
    assert event.actor_label == "system:login_guard"
    assert event.result == "denied"
    assert event.ip == OFFICE
    assert event.changes == {
        "username": "county_433124",
        "ip": OFFICE,
        "failures": 5,
        "cooloff_minutes": 30,
    }


def test_the_ip_throttle_is_audited_with_the_ip_and_the_count(official: User) -> None:
    for n in range(20):
        attempt(f"guess_{n:02d}", "Password123!")

    event = AuditEvent.objects.get(action="auth.ip_throttled")
    assert (event.object_type, event.object_id, event.result) == ("client_ip", OFFICE, "denied")
    assert event.changes == {
        "ip": OFFICE,
        "failures": 20,
        "window_minutes": 15,
        "last_username": "guess_19",
    }


def test_the_numbers_come_from_the_settings(official: User, settings: Any) -> None:
    settings.FANGPIN_LOGIN_FAILURE_LIMIT = 2
    settings.FANGPIN_LOGIN_COOLOFF_MINUTES = 10
    settings.FANGPIN_LOGIN_IP_FAILURE_LIMIT = 3
    settings.FANGPIN_LOGIN_IP_WINDOW_MINUTES = 5

    locked = fail_times(2)
    assert locked == [200, 429]
    assert "登录失败次数过多，请10分钟后再试" in attempt("county_433124", PASSWORD).content.decode()
    sprayed = [attempt(f"guess_{n}", "x", ip=ELSEWHERE) for n in range(3)]
    assert [r.status_code for r in sprayed] == [200, 200, 429]
    assert "此网络地址登录失败次数过多，请5分钟后再试" in sprayed[-1].content.decode()
