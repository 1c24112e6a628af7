import pytest

from workers.scoring.checks.promotion import check_promotion
from workers.scoring.types import DECISIVE_WEIGHT, SiteRules, Submission

RULES = SiteRules()


def reasons(text: str) -> list[tuple[str, str]]:
    return [(r.code, r.detail) for r in check_promotion(Submission(text), RULES)]


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("Subscribe to my channel!!", "subscribe to my channel"),
        ("Follow me on twitter & IG : __k94", "follow me on twitter"),
        ("pls check out my new cover of Firework", "check out my new cover"),
        ("care to visit my blog", "visit my blog"),
        ("Don't forget to subscribe to my channel", "subscribe to my channel"),
        ("Mọi người ghé kênh của mình ủng hộ nhé", "ghé kênh của mình"),
        ("ghe kenh minh nhe", "ghe kenh minh"),
        ("mọi người sub kênh em nhé", "sub kênh em"),
        ("Sub kênh e nha", "sub kênh e"),
        ("Cả nhà ủng hộ page mình", "ủng hộ page mình"),
        ("đăng ký kênh youtube của em nha", "đăng ký kênh youtube của em"),
        ("F0ll0w my insta", "f0ll0w my insta"),  # evasions are undone, shown as typed
    ],
)
def test_asking_readers_to_the_writers_own_channel_is_self_promotion(text, asked):
    assert reasons(text) == [("self_promotion", f'self-promotion: "{asked}"')]


@pytest.mark.parametrize(
    ("text", "code", "detail"),
    [
        ("sub4sub anyone?", "self_promotion", 'self-promotion: "sub4sub"'),
        ("Ai sub kênh mình mình sub lại", "self_promotion", 'self-promotion: "sub lại"'),
        ("Like and subscribe!", "engagement_bait", 'engagement bait: "like and subscribe"'),
        (
            "Like this comment if you agree",
            "engagement_bait",
            'engagement bait: "like this comment if"',
        ),
        ("ai like chéo không", "engagement_bait", 'engagement bait: "like chéo"'),
    ],
)
def test_whole_phrases_name_their_kind(text, code, detail):
    assert reasons(text) == [(code, detail)]


@pytest.mark.parametrize(
    "text",
    [
        "check out the video of the flood on the ministry's page",  # no owner
        "My channel of choice is still VTV1",  # no ask
        "You didn't see my facebook huh?",  # "see" is no ask
        "Người dân nên theo dõi trang của Bộ Y tế",  # someone else's page
        "Xem clip em bé bị bỏ rơi mà thương quá",  # "em bé" is a baby, not the writer
        "Xem clip tôi thấy thương các chú bộ đội",  # "tôi" starts a new clause
        "Xem clip mình thấy thương các cháu quá",  # so does "mình"
        "Xem clip em đi học phải lội qua sông mà thương quá",
        "Xem clip em với mẹ mà khóc",
        "Tôi theo dõi kênh của em ấy từ lâu",  # "em ấy" is someone else
        "Mọi người ghé kênh bên em mà xem, rác ngập",  # a canal where the writer lives
        "A stranger started to follow me on Instagram and then asked me for money",
        "He started to follow me on Instagram",
        "I check my bank account every day since the data leak",
        "We watch our local channel for flood updates",
        "visit our embassy website for the forms",
        "Comments like 'subscribe to my channel' are everywhere here, mods please clean up",
        "I don't like this comment for its tone",
        "Why do people like this comment so much?",
        "Clip tiếng Anh, xin sub tiếng Việt với ạ",  # subtitles
        "Tôi sub lại gói cước rồi",
        "I would like this comment section to stay civil",
        "I like this comment, so true",  # a reader agreeing
    ],
)
def test_everyday_speech_is_not_promotion(text):
    assert reasons(text) == []


def test_promotion_settles_a_verdict_on_its_own():
    (reason,) = check_promotion(Submission("subscribe to my channel"), RULES)
    assert reason.weight == DECISIVE_WEIGHT
