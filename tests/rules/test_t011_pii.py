"""T011 pii: e-mail addresses and (conservatively matched) phone numbers, masked in the report."""

from pathlib import Path

import pytest

import dslint
from dslint.records import Fix
from dslint.rules.text.pii import Pii

ROOT = Path(__file__).resolve().parents[2]
C4 = ROOT / "tests/data/lf_c4_demo/c4_demo.jsonl"
CLEAN_SETS = [
    ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl",
    ROOT / "examples/oai_toy_chat/toy_chat_fine_tuning.jsonl",
    ROOT / "tests/data/gsm8k/train.jsonl",
    ROOT / "tests/data/lf_identity/identity.json",
    ROOT / "tests/data/fastchat_dummy_conv/dummy_conversation.json",
    ROOT / "tests/data/nerre_prompt_completion",
]


@pytest.mark.parametrize(
    "text",
    [
        "Released 2021-05-12 as v1.2.3 for $1,234.56; ISBN 978-0-306-40615-7; order 12345678; 3+4=7; call 911.",
        "Serial 555-123-45678, IP 192.168.100.200, SSN-like 123-45-6789, ID 123-456-7890, range 100-200-3000.",
        "Scores: +5 10 15 20, x+12345678, temperatures +2019 2020 2021, and 1-800-FLOWERS.",
        "git clone git@github.com:owner/repo.git, see logo@2x.png, ping @alice, import @angular/core, lodash@4.17.21",
        "Write to bob@example.com, ops@mail.example.org, a@b.test, root@localhost, hello@yourdomain.com or "
        "boss@company.com.",
    ],
)
def test_numbers_handles_and_documentation_addresses_pass(make_record, text):
    assert list(Pii().check(make_record({"messages": [{"role": "user", "content": text}]}))) == []


def test_emails_and_phones_are_reported_once_per_field_with_location(write_jsonl):
    rows = [
        {
            "messages": [
                {"role": "user", "content": "My order never came. Reach me at jane.doe@gmail.com or (415) 555-2671."},
                {"role": "assistant", "content": "Sorry! I have passed this on; support@example.com will reply."},
            ]
        },
        {
            "conversations": [
                {"from": "human", "value": "Call +44 20 7946 0958 tomorrow."},
                {"from": "gpt", "value": "Ok."},
            ]
        },
        {
            "instruction": "Extract the phone.",
            "input": "Office: 212-555-0143, fax 212-555-0199.",
            "output": "212-555-0143",
        },
        {"text": "Contact Wendy Rall at w.rall@rescuedtails.com or +1-303-555-0117."},
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["T011"]).findings()
    assert [(f.code, f.path, f.line, f.row, f.field, f.span) for f in found] == [
        ("T011", str(path), 1, 0, "messages[0].content", [33, 51]),
        ("T011", str(path), 2, 1, "conversations[0].value", [5, 21]),
        ("T011", str(path), 3, 2, "input", [8, 20]),
        ("T011", str(path), 3, 2, "output", [0, 12]),
        ("T011", str(path), 4, 3, "text", [22, 45]),
    ]
    assert [f.message for f in found] == [
        "1 e-mail address (j***@gmail.com) and 1 phone number ((***) ***-**71)",
        "1 phone number (+** ** **** **58)",
        "2 phone numbers (***-***-**43, ***-***-**99)",
        "1 phone number (***-***-**43)",
        "1 e-mail address (w***@rescuedtails.com) and 1 phone number (+*-***-***-**17)",
    ]
    assert all(f.severity == "warning" for f in found)
    assert found[0].excerpt == "…order never came. Reach me at j***@gmail.com or (***) ***-**71."
    for f in found:
        for secret in ("jane.doe", "555-2671", "7946 0958", "555-0143", "w.rall"):
            assert secret not in f.message and secret not in f.excerpt


def test_overlapping_shapes_count_once(make_record):
    record = make_record({"text": "US office: +1 (555) 234-5678."})
    (finding,) = Pii().check(record)
    assert finding.location.span == (11, 28)
    assert finding.message == "1 phone number (+* (***) ***-**78)"


def test_has_no_fix():
    assert Pii.fix_applicability is Fix.NONE


def test_c4_pages_contact_details_are_found():
    # scraped pages: shop and society contact addresses, a phone-lookup spam page with 20 numbers
    report = dslint.scan(C4, select=["T011"], sample_size=100)
    found = report.findings()
    assert report.count("T011") == len(found) == 9
    assert [f.row for f in found] == [0, 64, 96, 139, 166, 167, 190, 260, 298]
    assert found[3].message.startswith("20 phone numbers (***-***-**80, ***-***-**81, ***-***-**82, …)")


def test_clean_real_sets_pass():
    assert dslint.scan(CLEAN_SETS, select=["T011"]).count("T011") == 0
