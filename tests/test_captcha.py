"""One-time captchas on a real Redis."""

from commentgate.captcha import ALPHABET, CaptchaService


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_alphabet_has_no_look_alikes():
    assert not set("0O1IlL") & set(ALPHABET)


def test_ids_are_hex_so_no_id_reads_as_a_command_line_option(redis_client):
    # URL-safe base64 ids began with "-" one time in 64, and `captcha answer ID` took them
    # for an option.
    service = CaptchaService(redis_client, 600)
    ids = [service.issue(site="demo").id for _ in range(300)]
    hex_digits = set("0123456789abcdef")
    assert all(len(captcha_id) == 32 and set(captcha_id) <= hex_digits for captcha_id in ids)
    assert len(set(ids)) == len(ids)


def test_right_answer_is_accepted_once_case_insensitively(redis_client):
    service = CaptchaService(redis_client, 600)
    challenge = service.issue(site="demo")
    answer = service.answer(challenge.id)
    assert len(answer) == 5 and set(answer) <= set(ALPHABET)
    assert service.redeem(challenge.id, f" {answer.lower()} ", "demo").ok
    assert service.redeem(challenge.id, answer, "demo").error == "captcha_expired"
    assert service.answer(challenge.id) is None


def test_wrong_answer_consumes_the_captcha(redis_client):
    service = CaptchaService(redis_client, 600)
    challenge = service.issue(site="demo")
    answer = service.answer(challenge.id)
    wrong = "ZZZZZ" if answer != "ZZZZZ" else "YYYYY"
    assert service.redeem(challenge.id, wrong, "demo").error == "captcha_invalid"
    assert service.redeem(challenge.id, answer, "demo").error == "captcha_expired"


def test_expired_and_unknown_captchas_are_expired(redis_client):
    clock = Clock()
    service = CaptchaService(redis_client, 600, clock=clock)
    challenge = service.issue(site="demo")
    answer = service.answer(challenge.id)
    clock.now += 601
    assert service.redeem(challenge.id, answer, "demo").error == "captcha_expired"
    assert service.redeem("no-such-captcha", "ABCDE", "demo").error == "captcha_expired"


def test_redemption_reports_issue_time(redis_client):
    clock = Clock()
    service = CaptchaService(redis_client, 600, clock=clock)
    challenge = service.issue(site="demo")
    assert service.redeem(challenge.id, service.answer(challenge.id), "demo").issued_at == clock.now


def test_image_is_a_png_and_does_not_consume(redis_client):
    service = CaptchaService(redis_client, 600)
    challenge = service.issue(site="demo")
    assert service.image(challenge.id).startswith(b"\x89PNG")
    assert service.answer(challenge.id) is not None
    assert service.image("unknown") is None


def test_a_captcha_redeems_only_for_its_site(redis_client):
    service = CaptchaService(redis_client, 600)
    challenge = service.issue(site="demo")
    assert service.redeem(challenge.id, service.answer(challenge.id), "other").error == (
        "captcha_invalid"
    )
    assert service.answer(challenge.id) is None


def test_drawing_after_redemption_leaves_nothing_behind(redis_client):
    service = CaptchaService(redis_client, 600)
    challenge = service.issue(site="demo")
    service.redeem(challenge.id, "?", "demo")
    assert service.image(challenge.id) is None
    assert redis_client.keys(f"*{challenge.id}*") == []
