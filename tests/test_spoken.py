"""What dictation writes, read as what was said: numbers as words, abbreviations letter by letter."""

from __future__ import annotations

import pytest

from nms_bot.core.spoken import spoken_numbers


@pytest.mark.parametrize(
    "typed, read",
    [
        ("temp forty point one what now", "temp 40.1 what now"),
        ("hr one thirty eight, ck twenty two k", "hr 138, ck 22 k"),
        ("fifty eight male", "58 male"),
        ("ck nine thousand", "ck 9000"),
        ("one dose", "one dose"),  # a lone small number stays a word
        ("the point of fluids", "the point of fluids"),
    ],
)
def test_numbers_said_as_words_are_read_as_digits(typed, read):
    assert spoken_numbers(typed) == read


def test_a_dictated_question_is_read_as_typed(engine):
    reading = engine.matcher.reader.read("temp forty point one, rigid, on haldol - what now")
    assert "40.1" in reading.words and "fever" in reading.signs  # the temperature is a fever
    # letters said one by one ("n m s") and their names ("see kay") are the abbreviation
    reading = engine.matcher.reader.read("see kay is eighteen k in suspected n m s, do we give fluids")
    assert ("see kay", "ck") in reading.corrections and ("n m s", "nms") in reading.corrections
    assert engine.matcher.match("see kay is eighteen k in suspected n m s, do we give fluids").topic_id == "fluids"
