"""T010 secret: API keys, tokens and private keys of well-known shapes, masked in the report."""

import base64
import json
import random
import string
from pathlib import Path

import pytest

import dslint
from dslint.io.formats import Normaliser
from dslint.records import Fix, Location
from dslint.rules.text.secret import Secret

ROOT = Path(__file__).resolve().parents[2]
REAL_SETS = [
    ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl",
    ROOT / "examples/oai_toy_chat/toy_chat_fine_tuning.jsonl",
    ROOT / "tests/data/lf_c4_demo/c4_demo.jsonl",
    ROOT / "tests/data/lf_glaive_toolcall/glaive_toolcall_en_demo.json",
    ROOT / "tests/data/lf_identity/identity.json",
    ROOT / "tests/data/fastchat_dummy_conv/dummy_conversation.json",
    ROOT / "tests/data/nerre_prompt_completion",
]

# Keys are made up at run time from a seeded generator, so no key-shaped string sits in the source.
_RNG = random.Random(20240611)
B62 = string.ascii_letters + string.digits


def _rand(n, alphabet=B62):
    while True:
        s = "".join(_RNG.choice(alphabet) for _ in range(n))
        if alphabet != B62 or (
            any(c.isdigit() for c in s) and any(c.islower() for c in s) and any(c.isupper() for c in s)
        ):
            return s


def _jwt():
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': 'u-81', 'exp': 1735689600})}.{_rand(43)}"


KEYS = {
    "OpenAI API key": "sk-" + _rand(48),
    "OpenAI project key": "sk-proj-" + _rand(156, B62 + "-_"),
    "Anthropic API key": "sk-ant-api03-" + _rand(93, B62 + "-_") + "AA",
    "AWS access key ID": "AKIA" + _rand(15, string.ascii_uppercase + "234567") + "7",
    "GitHub token": "ghp_" + _rand(36),
    "GitHub fine-grained token": "github_pat_" + _rand(22) + "_" + _rand(59),
    "Slack token": "xoxb-" + "".join(_RNG.choice("98765") for _ in range(12)) + "-" + _rand(24),
    "Google API key": "AIza" + _rand(35),
    "Stripe live key": "sk_live_" + _rand(24),
    "Stripe restricted key": "rk_live_" + _rand(24),
    "Hugging Face token": "hf_" + _rand(34, string.ascii_letters),
    "JSON Web Token": _jwt(),
}
PEM_BODY = "\n".join(_rand(64, B62 + "+/") for _ in range(4))
PRIVATE_KEY = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----"


def _found(text):
    record = Normaliser().normalise({"messages": [{"role": "user", "content": text}]}, Location("t.jsonl", 0, 1))
    return list(Secret().check(record))


@pytest.mark.parametrize("label", list(KEYS))
def test_each_key_shape_is_found_and_masked(label):
    key = KEYS[label]
    text = f"My config has KEY={key} in it, why does it fail?"
    (finding,) = _found(text)
    assert finding.location.span == (text.index(key), text.index(key) + len(key))
    kind = {"OpenAI project key": "OpenAI API key", "GitHub fine-grained token": "GitHub token"}.get(label, label)
    assert finding.message.startswith(f"possible {kind.replace('restricted', 'live')}: ")
    assert finding.message.endswith(f"… ({len(key)} chars)")
    for shown in (finding.message, finding.excerpt):
        assert key not in shown
        assert key[-12:] not in shown  # only a prefix is ever shown
    assert "My config has KEY=[" in finding.excerpt


def test_private_key_block_is_found_and_masked():
    text = f"Here is my key, can you convert it?\n{PRIVATE_KEY}\nThanks"
    (finding,) = _found(text)
    start = text.index("-----BEGIN")
    assert finding.location.span == (start, start + len(PRIVATE_KEY))
    assert finding.message == f"possible private key: -----BEGIN RSA PRIVATE KEY-----… ({len(PRIVATE_KEY)} chars)"
    assert PEM_BODY[:20] not in finding.excerpt and PEM_BODY[:20] not in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "Set OPENAI_API_KEY=sk-... in your shell.",
        "export OPENAI_API_KEY=sk-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        "export OPENAI_API_KEY=sk-your-key-goes-here-and-nothing-else-please",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",  # AWS's documented example key
        "Use the token ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx for now.",
        "HF_TOKEN=hf_YOUR_TOKEN_HERE",
        "The jwt.io sample: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIi"
        "wiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n...\n-----END OPENSSH PRIVATE KEY-----",
        "Risk-assessment-frameworks-for-large-organisations-and-teams are hard.",
        "Import sklearn and call hf_hub_download(repo_id='gpt2').",
        "ASIANDEVELOPMENTBANK is an all-caps word, not a key.",
    ],
)
def test_placeholders_examples_and_lookalikes_pass(text):
    assert _found(text) == []


def test_findings_are_once_per_field_with_location(write_jsonl):
    openai, aws, github = KEYS["OpenAI API key"], KEYS["AWS access key ID"], KEYS["GitHub token"]
    rows = [
        {
            "messages": [
                {"role": "user", "content": f"Why 401? client = OpenAI(api_key='{openai}')"},
                {"role": "assistant", "content": "Your key was revoked. Never paste keys into chats."},
            ]
        },
        {"instruction": "Fix my config.", "input": f"aws_access_key_id={aws}\ntoken: {github}", "output": "Rotate."},
        {"text": f"```bash\ncurl -H 'Authorization: Bearer {KEYS['JSON Web Token']}' https://api.example.com\n```"},
    ]
    jwt_at = rows[2]["text"].index("eyJ")
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["T010"]).findings()
    assert [(f.code, f.path, f.line, f.row, f.field, f.span) for f in found] == [
        ("T010", str(path), 1, 0, "messages[0].content", [34, 34 + len(openai)]),
        ("T010", str(path), 2, 1, "input", [18, 38]),
        ("T010", str(path), 3, 2, "text", [jwt_at, jwt_at + len(KEYS["JSON Web Token"])]),
    ]
    assert all(f.severity == "error" for f in found)
    assert found[1].message == (
        f"2 possible secrets (AWS access key ID, GitHub token), first {aws[:6]}… ({len(aws)} chars)"
    )
    assert found[1].excerpt == f"aws_access_key_id=[{aws[:6]}… (20 chars)] token: [{github[:6]}… (40 chars)]"
    for f in found:
        assert openai not in f.excerpt and aws not in f.excerpt and github not in f.excerpt


def test_has_no_fix():
    assert Secret.fix_applicability is Fix.NONE


def test_real_datasets_have_no_secrets():
    assert dslint.scan(REAL_SETS, select=["T010"]).count("T010") == 0
