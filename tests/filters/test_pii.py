from tests.filters.texts import judge


def pii(texts, **params):
    return judge("pii", texts, **params)


def test_email_addresses_are_replaced_and_counted(texts):
    opinion, local = texts["opinion-letters"], texts["local-news-footer"]
    verdict = pii([opinion.text, local.text])
    assert opinion.facts["email"] in opinion.text and local.facts["email"] in local.text
    assert opinion.facts["email"] not in verdict.text[0] and "email: <EMAIL>." in verdict.text[0]
    assert local.facts["email"] not in verdict.text[1]
    assert verdict.signals["pii_emails"].to_list() == [1, 1]


def test_phone_numbers_are_replaced(texts):
    review, reprints = texts["book-review-phone"], texts["earnings-reprints"]
    verdict = pii([review.text, reprints.text])
    assert review.facts["phone"] in review.text
    assert review.facts["phone"] not in verdict.text[0] and "<PHONE_NUMBER>" in verdict.text[0]
    assert reprints.facts["replaced"] in verdict.text[1]
    assert verdict.signals["pii_phone_numbers"].to_list() == [1, 1]


def test_ip_addresses_are_replaced(texts):
    text = texts.gold_articles[0] + "\nThe login came from 192.168.10.254 and from 2001:db8::8a2e:370:7334."
    verdict = pii([text])
    assert verdict.text[0].endswith("The login came from <IP_ADDRESS> and from <IP_ADDRESS>.")
    assert verdict.signals["pii_ip_addresses"][0] == 2


def test_dates_times_scores_and_prices_stay(texts):
    text = texts["tech-briefing"].text + "\n" + texts["sports-roundup"].text
    verdict = pii([text])
    assert verdict.text[0] == text  # ISO timestamps like 2023-11-14T08:57:40+01:00, scores like 25-18
    assert verdict.signals["pii_phone_numbers"][0] == 0


def test_never_drops_and_placeholders_come_from_params(texts):
    verdict = pii([texts["opinion-letters"].text], email_placeholder="email@example.com")
    assert verdict.reason[0] is None and "email: email@example.com." in verdict.text[0]
