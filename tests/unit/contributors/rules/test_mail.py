"""The support mailbox's rules: reading an inbound message, ticket references, threading a reply."""

from email.message import EmailMessage

import pytest

from services.contributors.rules.mail import (
    MAX_REFERENCES,
    OutgoingMail,
    UnreadableMail,
    normalise_message_id,
    parse_inbound_mail,
    references_for,
    render_outgoing_mail,
    reply_subject,
    ticket_reference,
    ticket_subject,
    without_quoted_reply,
)


def raw_mail(body: str = "Hello", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Ada Labeler <Ada@Example.org>")
    message["Subject"] = headers.pop("Subject", "Help")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def test_an_inbound_mail_names_its_sender_in_lower_case_and_its_thread_nearest_first():
    mail = parse_inbound_mail(raw_mail(Message_ID="<m3@x>", In_Reply_To="<m2@x>", References="<m1@x> <m2@x>"))

    assert (mail.sender_address, mail.sender_name) == ("ada@example.org", "Ada Labeler")
    assert mail.message_id == "<m3@x>"
    assert mail.thread_ids() == ("<m2@x>", "<m1@x>")
    assert mail.automatic is False


def test_a_mail_without_message_id_gets_the_same_derived_id_each_time_it_is_read():
    raw = raw_mail()

    assert parse_inbound_mail(raw).message_id == parse_inbound_mail(raw).message_id


def test_auto_submitted_mail_is_marked_automatic():
    assert parse_inbound_mail(raw_mail(Auto_Submitted="auto-replied")).automatic is True


def test_a_mail_without_sender_address_is_unreadable():
    with pytest.raises(UnreadableMail):
        parse_inbound_mail(raw_mail(From="undisclosed-recipients:;"))


def test_the_quoted_thread_is_cut_from_a_reply():
    text = "Firefox 140.\n\nOn Mon, 7 Dec 2026, Support wrote:\n> Which browser?\n"

    assert without_quoted_reply(text) == "Firefox 140."
    assert without_quoted_reply("> only a quote") == "> only a quote"


def test_an_html_only_mail_is_read_as_text():
    message = EmailMessage()
    message["From"] = "a@example.org"
    message.set_content("<p>Broken <b>tool</b></p>", subtype="html")

    assert parse_inbound_mail(message.as_bytes()).body.split() == ["Broken", "tool"]


def test_ticket_reference_is_the_last_one_in_the_subject():
    assert ticket_reference("Re: [#12] Fwd: [#34] Payout") == 34
    assert ticket_reference("Payout #12") is None


def test_subjects_lose_reply_prefixes_and_replies_carry_the_reference_once():
    assert ticket_subject("Re: Fwd: AW: Payout") == "Payout"
    assert reply_subject(7, "Re: [#7] Payout") == "Re: [#7] Payout"


def test_references_keep_the_root_and_the_latest_ids():
    thread = [f"<{n}@x>" for n in range(20)]

    kept = references_for(thread)

    assert len(kept) == MAX_REFERENCES and kept[0] == "<0@x>" and kept[-1] == "<19@x>"


def test_an_over_long_message_id_becomes_a_stable_digest():
    long_id = "<" + "a" * 400 + "@x>"

    assert normalise_message_id(long_id) == normalise_message_id(long_id)
    assert len(normalise_message_id(long_id)) < 100


def test_an_outgoing_reply_carries_its_threading_headers():
    message = render_outgoing_mail(
        OutgoingMail(
            sender="Support <s@x>", recipient="a@x", subject="Re: [#1] Help", body="Done.",
            message_id="<out@x>", in_reply_to="<in@x>", references=("<root@x>", "<in@x>"), automatic=True,
        )
    )  # fmt: skip

    assert message["In-Reply-To"] == "<in@x>"
    assert message["References"] == "<root@x> <in@x>"
    assert message["Message-ID"] == "<out@x>"
    assert message["Auto-Submitted"] == "auto-generated"
