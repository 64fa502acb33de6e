"""Mentions of an erased person in other people's free text (shift notes) are replaced."""

from shared.privacy import without_mentions


def test_every_mention_of_the_name_and_the_email_is_replaced_whatever_its_case():
    text = "Call ADA LABELER (ada@example.org) tomorrow; ada labeler knows. Cc Ada@Example.org."

    cleaned = without_mentions(text, ["Ada Labeler", "ada@example.org"], "Erased 1a2b")

    assert cleaned == "Call Erased 1a2b (Erased 1a2b) tomorrow; Erased 1a2b knows. Cc Erased 1a2b."


def test_text_without_a_mention_and_empty_mentions_are_left_alone():
    assert without_mentions("Queue 7 is behind.", ["Ada Labeler"], "x") == "Queue 7 is behind."
    assert without_mentions("Ada was here.", ["", "  "], "x") == "Ada was here."


def test_the_longest_mention_wins_where_one_contains_another():
    assert without_mentions("ada@example.org", ["ada", "ada@example.org"], "X") == "X"
