from tests.filters.texts import gold_articles, judge, real_text


def pii(texts, **params):
    return judge("pii", texts, **params)


def test_email_addresses_are_replaced_and_counted():
    verdict = pii([real_text("nytimes.com"), real_text("nj.com")])
    assert "letters@nytimes.com" not in verdict.text[0] and "email: <EMAIL>." in verdict.text[0]
    assert "akuperinsky@njadvancemedia.com" not in verdict.text[1]
    assert verdict.signals["pii_emails"].to_list() == [1, 1]


def test_phone_numbers_are_replaced():
    verdict = pii([real_text("morebikes"), real_text("barrons.com")])
    assert "+49 (0)40 890 85-433" not in verdict.text[0] and "<PHONE_NUMBER>" in verdict.text[0]
    assert "Dow Jones Reprints at <PHONE_NUMBER> or visit" in verdict.text[1]
    assert verdict.signals["pii_phone_numbers"].to_list() == [1, 1]


def test_ip_addresses_are_replaced():
    text = gold_articles()[0] + "\nThe login came from 192.168.10.254 and from 2001:db8::8a2e:370:7334."
    verdict = pii([text])
    assert verdict.text[0].endswith("The login came from <IP_ADDRESS> and from <IP_ADDRESS>.")
    assert verdict.signals["pii_ip_addresses"][0] == 2


def test_dates_times_scores_and_prices_stay():
    text = real_text("businessinsider.com") + "\n" + real_text("floridatoday")
    verdict = pii([text])
    assert verdict.text[0] == text  # ISO timestamps like 2019-11-19T08:57:40+01:00, scores like 70-44
    assert verdict.signals["pii_phone_numbers"][0] == 0


def test_never_drops_and_placeholders_come_from_params():
    verdict = pii([real_text("nytimes.com")], email_placeholder="email@example.com")
    assert verdict.reason[0] is None and "email: email@example.com." in verdict.text[0]
