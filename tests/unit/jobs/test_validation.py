import pytest

from desktop_app.api.pixii.vocab import COUNTRY_CODES
from desktop_app.core.validation import (InputError, normalize_asin, normalize_country, normalize_listing_type,
                                         normalize_reference_url, parse_product_input)


def test_asin_is_trimmed_and_upper_cased():
    assert normalize_asin("  b0testasin ") == "B0TESTASIN"


@pytest.mark.parametrize("bad,fragment", [("", "Enter an ASIN"), ("B0SHORT", "has 7"), ("B0TEST-ASI", "only letters"),
                                          ("B0TESTASIN1", "has 11")])
def test_invalid_asins_say_why(bad, fragment):
    with pytest.raises(InputError) as info:
        normalize_asin(bad)
    assert info.value.code == "INVALID_ASIN" and fragment in info.value.message


@pytest.mark.parametrize("url,asin,country", [
    ("https://www.amazon.co.uk/Some-Product/dp/B0CX23V2ZK/ref=sr_1_1?keywords=x", "B0CX23V2ZK", "GB"),
    ("https://www.amazon.de/gp/product/b0cx23v2zk", "B0CX23V2ZK", "DE"),
    ("amazon.com/dp/B0CX23V2ZK", "B0CX23V2ZK", "US"),
    ("https://www.amazon.co.jp/dp/B0CX23V2ZK?th=1", "B0CX23V2ZK", "JP"),
])
def test_product_urls(url, asin, country):
    parsed = parse_product_input(url)
    assert (parsed.asin, parsed.country) == (asin, country)
    assert normalize_asin(url) == asin


def test_non_amazon_url_is_not_an_asin():
    assert parse_product_input("https://example.com/dp/B0CX23V2ZK") is None
    with pytest.raises(InputError):
        normalize_asin("https://example.com/dp/B0CX23V2ZK")


def test_countries_and_types():
    assert len(COUNTRY_CODES) == 25 and {"GB", "UK"} <= COUNTRY_CODES
    assert normalize_country(" uk ") == "UK"
    with pytest.raises(InputError) as info:
        normalize_country("XX")
    assert info.value.code == "INVALID_COUNTRY"
    assert normalize_listing_type("tiktok_listing") == "tiktok_listing"
    with pytest.raises(InputError) as info:
        normalize_listing_type("instagram")
    assert info.value.code == "INVALID_LISTING_TYPE"


@pytest.mark.parametrize("url,local,ok", [
    ("https://cdn.example.com/a.jpg", False, True),
    ("http://cdn.example.com/a.jpg", False, False),
    ("ftp://cdn.example.com/a.jpg", True, False),
    ("https://127.0.0.1/a.jpg", False, False),
    ("https://192.168.1.5/a.jpg", False, False),
    ("http://127.0.0.1:9000/a.jpg", True, True),
    ("not a url", True, False),
])
def test_reference_urls(url, local, ok):
    if ok:
        assert normalize_reference_url(url, api_is_local=local) == url
    else:
        with pytest.raises(InputError) as info:
            normalize_reference_url(url, api_is_local=local)
        assert info.value.code == "INVALID_IMAGE_URL"
