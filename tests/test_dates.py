"""Event dates: parsing with precision, errors, and French/English labels."""

import datetime as dt

import pytest

from chronologie.dates import DateError, EventDate, PartialDate, parse_event_date, parse_timestamp
from chronologie.i18n import format_event_date


@pytest.mark.parametrize(
    ("text", "start", "end", "approximate", "precision"),
    [
        ("2023-12-05", PartialDate(2023, 12, 5), None, False, "day"),
        ("2024-05", PartialDate(2024, 5), None, False, "month"),
        ("2025", PartialDate(2025), None, False, "year"),
        ("~2024-05", PartialDate(2024, 5), None, True, "month"),
        (" ~ 2019 ", PartialDate(2019), None, True, "year"),
        ("2023-11-01/2023-12-01", PartialDate(2023, 11, 1), PartialDate(2023, 12, 1), False, "day"),
        ("2024-5-7", PartialDate(2024, 5, 7), None, False, "day"),
        ("2024-02-29", PartialDate(2024, 2, 29), None, False, "day"),
    ],
)
def test_parse_event_date(text, start, end, approximate, precision):
    date = parse_event_date(text)
    assert date == EventDate(start, end, approximate)
    assert date.precision == precision


def test_end_key_makes_a_range():
    assert parse_event_date("2023-11", "2023-12") == EventDate(PartialDate(2023, 11), PartialDate(2023, 12))


@pytest.mark.parametrize(
    ("text", "end", "message"),
    [
        ("2023-02-30", None, "'2023-02-30' does not exist: 2023-02 has 28 days"),
        ("2023-04-31", None, "'2023-04-31' does not exist: 2023-04 has 30 days"),
        ("2024-13-01", None, "month 13 in '2024-13-01' is not between 01 and 12"),
        ("2024-00", None, "month 0 in '2024-00' is not between 01 and 12"),
        ("5 déc. 2023", None, "expected YYYY, YYYY-MM or YYYY-MM-DD, '~' before it for an approximate date, or START/END for a range, got '5 déc. 2023'"),
        ("23-12-05", None, "expected YYYY, YYYY-MM or YYYY-MM-DD, '~' before it for an approximate date, or START/END for a range, got '23-12-05'"),
        ("2023-12-01/2023-11-30", None, "the end 2023-11-30 is before the start 2023-12-01"),
        ("2023/", None, "the range '2023/' has no end after '/'"),
        ("2023-11", "2022", "the end 2022 is before the start 2023-11"),
        ("2023/2024", "2025", "give the end either as START/END or with 'end:', not both"),
    ],
)
def test_bad_dates_say_why(text, end, message):
    with pytest.raises(DateError) as caught:
        parse_event_date(text, end)
    assert str(caught.value) == message


def test_a_month_range_may_end_inside_its_start_month():
    # "2023-11/2023-11-15": the end day lies within the start month, so it is not before it.
    assert parse_event_date("2023-11/2023-11-15").end == PartialDate(2023, 11, 15)


def test_sort_key_puts_coarser_precision_first_on_the_same_start():
    year, month, day = (parse_event_date(t).sort_key() for t in ("2023", "2023-01", "2023-01-01"))
    assert year < month < day
    assert parse_event_date("2023-11").sort_key() < parse_event_date("2023-11-07").sort_key()
    assert parse_event_date("2023-10-31").sort_key() < parse_event_date("2023-11").sort_key()


@pytest.mark.parametrize(
    ("text", "iso"),
    [("2023-12-05", "2023-12-05"), ("2024-5", "2024-05"), ("0987", "0987"), ("~2024-05/2024-07", "~2024-05/2024-07")],
)
def test_iso_form(text, iso):
    assert parse_event_date(text).iso() == iso


@pytest.mark.parametrize(
    ("text", "french", "english"),
    [
        ("2023-12-05", "5 décembre 2023", "5 December 2023"),
        ("2023-12-01", "1er décembre 2023", "1 December 2023"),
        ("2024-05", "mai 2024", "May 2024"),
        ("2025", "2025", "2025"),
        ("~2024-05", "vers mai 2024", "circa May 2024"),
        ("2023-11-01/2023-11-30", "du 1er au 30 novembre 2023", "1 – 30 November 2023"),
        ("2023-11-05/2023-12-02", "du 5 novembre au 2 décembre 2023", "5 November – 2 December 2023"),
        ("2023-12-20/2024-01-05", "du 20 décembre 2023 au 5 janvier 2024", "20 December 2023 – 5 January 2024"),
        ("2024-04/2024-06", "d’avril à juin 2024", "April – June 2024"),
        ("2024-05/2024-06", "de mai à juin 2024", "May – June 2024"),
        ("2023/2025", "de 2023 à 2025", "2023 – 2025"),
        ("~2024-05/2024-07", "de mai à juillet 2024 (dates approximatives)", "May – July 2024 (approximate)"),
        ("2023-11/2023-11-15", "de novembre 2023 au 15 novembre 2023", "November 2023 – 15 November 2023"),
        ("2023/2024-03", "de 2023 à mars 2024", "2023 – March 2024"),
        ("2023-12-05/2023-12-05", "5 décembre 2023", "5 December 2023"),
        ("2023/2023", "2023", "2023"),
    ],
)
def test_labels_follow_precision(text, french, english):
    date = parse_event_date(text)
    assert format_event_date(date, "fr") == french
    assert format_event_date(date, "en") == english


def test_timestamps_never_take_the_current_time():
    assert parse_timestamp("2024-04-18") == dt.datetime(2024, 4, 18, tzinfo=dt.timezone.utc)
    assert parse_timestamp("2024-04-18T09:30:00+02:00") == dt.datetime(2024, 4, 18, 7, 30, tzinfo=dt.timezone.utc)
    with pytest.raises(DateError, match="expected a date like 2024-04-18"):
        parse_timestamp("hier")
