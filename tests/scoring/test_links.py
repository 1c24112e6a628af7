import socket

import pytest

from workers.scoring import urls
from workers.scoring.checks import links
from workers.scoring.checks.links import check_links, find_links
from workers.scoring.checks.shape import check_shape
from workers.scoring.types import SiteRules, Submission


def codes(reasons):
    return {reason.code for reason in reasons}


def test_counts_links_and_flags_shorteners_and_cheap_tlds():
    text = "Vào ngay http://www.8xbet.vip/khuyen-mai hoặc bit.ly/abc123 nhé"
    reasons = check_links(Submission(text), SiteRules())
    assert codes(reasons) == {"links", "link_shortener", "link_suspicious_tld"}
    assert "2 links (8xbet.vip, bit.ly)" in [r.detail for r in reasons]


def test_link_only_comment():
    assert "link_only" in codes(check_links(Submission("https://youtu.be/abc"), SiteRules()))


def test_spelled_out_dots_are_links():
    assert [link.domain for link in find_links("vào w88 chấm net ngay")] == ["w88.net"]
    assert [link.domain for link in find_links("trang 8xbet[.]com uy tín")] == ["8xbet.com"]


def test_words_joined_by_a_missing_space_are_not_links():
    assert find_links("Hay quá.Cảm ơn tác giả.how are you") == []
    # A full stop before a capitalised word ends a sentence or an abbreviation ...
    assert find_links("Giá cao quá.Có ai mua nổi không? Nhà văn hóa P.Tô Hiệu, BS.Tô") == []
    # ... unless that word is a domain ending, however it is capitalised.
    assert [link.domain for link in find_links("Vào VayNhanh.Net, W88.COM")] == [
        "vaynhanh.net",
        "w88.com",
    ]


def test_only_the_spelled_out_word_for_dot_is_a_dot():
    assert find_links("Ở nhà chăm mẹ ốm, mạng chậm có ai bị không") == []
    assert [link.domain for link in find_links("vao 8xbet cham com")] == ["8xbet.com"]


def test_official_sites_are_sources_not_links():
    text = "Xem thêm tại https://moh.gov.vn/tin-tuc và dichvucong.gov.vn"
    assert check_links(Submission(text), SiteRules()) == []
    assert "short_with_link" not in codes(check_shape(Submission(text), SiteRules()))


def test_blocked_and_allowed_domains():
    rules = SiteRules(
        blocked_domains=frozenset({"scam.vn"}), allowed_domains=frozenset({"vnexpress.net"})
    )
    assert "link_blocked" in codes(check_links(Submission("xem m.scam.vn/a"), rules))
    assert check_links(Submission("nguồn: https://vnexpress.net/bai-viet-1.html"), rules) == []


def test_plain_comment_has_no_link_reasons():
    assert check_links(Submission("Bài viết rất hay. Cảm ơn tác giả."), SiteRules()) == []


def test_extractors_never_touch_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    links._domain_extractor.cache_clear()
    links._find_links.cache_clear()
    urls._extractor.cache_clear()
    urls._extracted.cache_clear()
    assert [link.domain for link in find_links("xem https://example.co.uk/x ngay")] == [
        "example.co.uk"
    ]


@pytest.mark.parametrize("text", ["", " ", "http://", "a.b.c.d.e", "💥" * 50])
def test_odd_inputs_do_not_crash(text):
    check_links(Submission(text), SiteRules())
