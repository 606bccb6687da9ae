"""T009 degenerate-repetition: a text that loops, by duplicate word 8-grams plus the most repeated one's count."""

import json
from pathlib import Path

import pytest

import dslint
from dslint.records import Fix
from dslint.rules.text.degenerate_repetition import DegenerateRepetition, DegenerateRepetitionOptions

ROOT = Path(__file__).resolve().parents[2]
TOY_CHAT = ROOT / "examples/oai_toy_chat/toy_chat_fine_tuning.jsonl"
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"
GSM8K = ROOT / "tests/data/gsm8k/train.jsonl"
C4 = ROOT / "tests/data/lf_c4_demo/c4_demo.jsonl"
GLAIVE = ROOT / "tests/data/lf_glaive_toolcall/glaive_toolcall_en_demo.json"
NERRE = ROOT / "tests/data/nerre_prompt_completion"

INTRO = (
    "To reset your router, unplug it from the wall, wait thirty seconds, and plug it back in. "
    "Then wait for the lights to settle, connect to the network again and open a browser to check "
    "that pages load. If they do not, hold the reset button for ten seconds and set it up from scratch. "
)
LOOP = INTRO + "I hope this helps! Let me know if you have any questions. " * 20
CHORUS = "We keep on running, running through the night, we keep on running till the morning light.\n"
SONG = (
    "Verse one about the road and the rain that keeps on falling down on me tonight.\n"
    + CHORUS
    + "Verse two about the city and the lights that never sleep and the friends I used to keep.\n"
    + CHORUS
    + "A bridge where everything is quiet for a while and we just listen to the sound.\n"
    + CHORUS
)
# twelve objects of one shape: structure repeats, values do not
JSON_LIST = json.dumps(
    [{"name": "", "formula": f"Fe{i}O{i + 1}", "description": [""], "acronym": "", "uses": []} for i in range(12)]
)


def _chat(answer):
    return {"messages": [{"role": "user", "content": "Can you help?"}, {"role": "assistant", "content": answer}]}


def test_toy_chat_banana_reply_is_the_only_finding():
    (finding,) = dslint.scan(TOY_CHAT, select=["T009"]).findings()
    assert (finding.code, finding.path, finding.line, finding.row, finding.field, finding.span) == (
        "T009",
        str(TOY_CHAT),
        5,
        4,
        "messages[2].content",
        [4, 55],
    )
    assert finding.severity == "error"
    assert finding.message == (
        "100% of the text's 8-word sequences are repeats; "
        '"a banana!Eat a banana!Eat a banana!Eat a banana!Eat" occurs 1996 times'
    )
    assert finding.excerpt.startswith("Eat a banana!Eat a banana!")


def test_a_reply_that_loops_after_a_normal_start_is_reported(write_jsonl):
    path = write_jsonl([_chat(SONG), _chat(LOOP), _chat(JSON_LIST)])
    (finding,) = dslint.scan(path, select=["T009"]).findings()
    assert (finding.line, finding.row, finding.field) == (2, 1, "messages[1].content")
    start = LOOP.index("I hope this helps!")
    assert finding.span == [start, start + len("I hope this helps! Let me know if")]
    assert finding.message == (
        '77% of the text\'s 8-word sequences are repeats; "I hope this helps! Let me know if" occurs 20 times'
    )


def test_every_format_and_field_is_checked(write_jsonl):
    rows = [
        {"instruction": "Say thanks.", "input": "", "output": "Thank you so much! " * 40},
        {"conversations": [{"from": "human", "value": "ha " * 60}, {"from": "gpt", "value": "Funny."}]},
        {"prompt": "Summarise:\n\n###\n\n", "completion": " " + "The end. " * 30},
        {"text": "Buy cheap shoes online now.\n" * 15},
    ]
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["T009"]).findings()
    assert [(f.line, f.row, f.field, f.span) for f in found] == [
        (1, 0, "output", [0, 37]),
        (2, 1, "conversations[0].value", [0, 23]),
        (3, 2, "completion", [1, 36]),
        (4, 3, "text", [0, 43]),
    ]


def test_thresholds_are_options(write_jsonl):
    path = write_jsonl([_chat(LOOP), _chat("Yes! " * 20)])
    assert dslint.scan(path, select=["T009"]).count("T009") == 1  # "Yes!" x20 has under 50 words
    assert dslint.scan(path, select=["T009"], rules={"T009": {"min-words": 20}}).count("T009") == 2
    assert dslint.scan(path, select=["T009"], rules={"T009": {"min-repeats": 21}}).count("T009") == 0
    assert dslint.scan(path, select=["T009"], rules={"T009": {"min-duplicate-fraction": 0.8}}).count("T009") == 0
    found = dslint.scan(path, select=["T009"], rules={"T009": {"ngram": 4}}).findings()
    assert found[0].message == '77% of the text\'s 4-word sequences are repeats; "I hope this helps!" occurs 20 times'


@pytest.mark.parametrize(
    "options",
    [
        {"min_words": 1},
        {"ngram": 0},
        {"min_duplicate_fraction": 0},
        {"min_duplicate_fraction": 1.5},
        {"min_repeats": 1},
    ],
)
def test_options_are_validated(options):
    with pytest.raises(ValueError):
        DegenerateRepetitionOptions(**options)


def test_has_no_fix():
    assert DegenerateRepetition.fix_applicability is Fix.NONE


@pytest.mark.parametrize("path", [ANTHROPIC, C4, GLAIVE, NERRE], ids=["anthropic", "c4", "glaive", "nerre"])
def test_real_datasets_pass(path):
    # the closest calls: NERRE's JSON completions (66% duplicate 5-grams, none repeated over 8 times), a C4
    # phone-lookup page ("Access All Records Of <number> Now!" 20 times, each with another number)
    assert dslint.scan(path, select=["T009"]).count("T009") == 0


def test_gsm8k_passes_as_chat():
    # GSM8K is {question, answer}; read as a chat so the rule sees every question and worked answer
    rows = [json.loads(line) for line in GSM8K.read_text(encoding="utf-8").splitlines()]
    chats = [
        {"messages": [{"role": "user", "content": r["question"]}, {"role": "assistant", "content": r["answer"]}]}
        for r in rows
    ]
    report = dslint.scan(chats, select=["T009"])
    assert report.summary.splits[0].records == 7473
    assert report.count("T009") == 0
