"""T007 typo: misspelt words, decided over the dataset's vocabulary (dictionary, skip-list, dataset frequency)."""

import json
import pickle
from pathlib import Path

import pytest
from pydantic import ValidationError

import dslint
from dslint.records import Location, Severity
from dslint.rules.text.typo import Typo, TypoState
from dslint.text.spelling import LANGUAGES, SpellingError, check_word, prose_words, word_list

ROOT = Path(__file__).resolve().parents[2]
C4 = ROOT / "tests/data/lf_c4_demo/c4_demo.jsonl"
ANTHROPIC = ROOT / "examples/anthropic_json_mode_chat/json_mode_dataset.jsonl"
GSM8K = ROOT / "tests/data/gsm8k/train.jsonl"
GLAIVE = ROOT / "tests/data/lf_glaive_toolcall/glaive_toolcall_en_demo.json"


def chat(user, assistant, system=None):
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    if system is not None:
        messages.insert(0, {"role": "system", "content": system})
    return {"messages": messages}


CLEAN = [
    chat("How do I reset my password?", "Open Settings, choose Security and click 'Reset password'."),
    chat("What's the capital of Australia?", "The capital of Australia is Canberra, not Sydney."),
    chat("Can you recommend a book about habits?", "James Clear's Atomic Habits is a popular choice."),
    chat("Summarise the meeting notes.", "The team agreed to ship the release on Friday."),
]


def scan(rows, write_jsonl, name="train.jsonl", **settings):
    return dslint.scan(write_jsonl(rows, name=name), select=["T007"], **settings)


def run_rule(rule, records):
    state = rule.new_state()
    for record in records:
        state = rule.update(state, record)
    return state


def test_well_spelled_chat_passes(write_jsonl):
    assert scan(CLEAN, write_jsonl).count("T007") == 0


def test_misspelling_is_reported_once_at_its_first_occurrence_with_count(write_jsonl):
    rows = [
        *CLEAN,
        chat("When will I get my parcel?", "You will recieve a tracking e-mail once it ships."),
        chat("Is the order confirmed?", "Yes. You should recieve the invoice today."),
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["T007"])
    (finding,) = report.findings()
    assert (finding.code, finding.name, finding.severity) == ("T007", "typo", "warning")
    assert (finding.path, finding.line, finding.row, finding.field) == (str(path), 5, 4, "messages[1].content")
    assert finding.span == [9, 16]
    assert rows[4]["messages"][1]["content"][9:16] == "recieve"
    assert finding.message == "'recieve' -> 'receive' (2 times; also at line 6 messages[1].content)"
    assert finding.excerpt == "You will recieve a tracking e-mail once it ships."
    assert report.passed  # a warning


def test_one_finding_per_word_in_dataset_order(write_jsonl):
    rows = [
        chat("Could you plese help me write a letter?", "Sure, here is a seperate draft for you."),
        chat("Thanks, that was definately helpful.", "Glad it helped!"),
    ]
    report = scan(rows, write_jsonl)
    found = [(f.row, f.field, f.message) for f in report.findings()]
    assert found == [
        (0, "messages[0].content", "'plese' -> 'please' (1 time)"),
        (0, "messages[1].content", "'seperate' -> 'separate' (1 time)"),
        (1, "messages[0].content", "'definately' -> 'definitely' (1 time)"),
    ]


@pytest.mark.parametrize(
    ("word", "suggestion"),
    [
        ("recieve", "receive"),
        ("teh", "the"),
        ("thier", "their"),
        ("becuase", "because"),
        ("occured", "occurred"),
        ("untill", "until"),
        ("writting", "writing"),
        ("begining", "beginning"),
        ("arguement", "argument"),
        ("definately", "definitely"),
        ("seperate", "separate"),
        ("tatoos", "tattoos"),
        ("wirelesss", "wireless"),
        ("exoerience", "experience"),
        ("coulored", "coloured"),
        ("amd", "and"),
        ("dont", "don't"),
        ("alot", "a lot"),
        ("aswell", "as well"),
        ("attachs", "attaches"),
        ("tryed", "tried"),
    ],
)
def test_suggestions_for_common_slips(word, suggestion):
    verdict = check_word(word, word_list())
    assert verdict.suggestion is not None, verdict.reason
    assert verdict.suggestion.word == suggestion


@pytest.mark.parametrize(
    "word",
    [
        # American spellings the (British-leaning) list lacks
        "colors",
        "favorite",
        "analyzed",
        "centered",
        "neighborhood",
        "behavioral",
        "catalogs",
        "traveling",
        "specialty",
        "molded",
        # inflections, derivations, prefixes, compounds of listed words
        "biomes",
        "jailbreaks",
        "rebranded",
        "unlinking",
        "restring",
        "mosquitos",
        "roadmap",
        "fulltime",
        # abbreviations, short words with no very frequent neighbour, elongations
        "adhd",
        "uke",
        "soooo",
    ],
)
def test_valid_forms_the_word_list_lacks_are_not_typos(word):
    assert check_word(word, word_list()).suggestion is None


def test_code_urls_identifiers_and_the_like_are_skipped(write_jsonl):
    assistant = (
        "Call `recieve_payload()` or run:\n\n```python\nrecievd = client.fetchh(url)\n```\n"
        "See https://example.com/recieve-guide, https://x.com/?q=a+recieve+b, www.recieve.org or mail "
        "suport@example.com. "
        "Edit src/recievr/main.py or ~/.bashrc, use os.pathh, mp3s, 3rd-party v2beta and snake_cse, "
        "camelCasee, PascalCasee, HTTPX, #tbt @recieverbot, <divv class=containr>, &nbspp; and {usrname}. "
        '{"recieveKey": 1, "recivedz": "ok"} and the indo-europian family.'
    )
    report = scan([chat("Where is the docs page?", assistant)], write_jsonl)
    assert report.count("T007") == 0
    # the same words as prose are found, so the skips above are the skip-list at work
    report = scan([chat("Where is the docs page?", "You will recieve it.")], write_jsonl, name="prose.jsonl")
    assert report.count("T007") == 1


def test_prose_words_spans_and_cases():
    text = "Natalia's teacher said: Recieve it. Then we recieve `recieve` from Recieve Inc."
    words = [(w.text, w.case, text[w.start : w.end]) for w in prose_words(text, {"recieve", "natalia"})]
    assert words == [
        ("Natalia", 1, "Natalia"),  # START: the possessive 's is not part of the word
        ("Recieve", 1, "Recieve"),  # after a colon: a sentence start
        ("recieve", 0, "recieve"),  # LOWER; the inline code one is skipped
        ("Recieve", 2, "Recieve"),  # PROPER: capitalised inside a sentence
    ]


def test_prose_words_inside_escaped_json_and_contractions():
    text = '{"answer": "Line one.\\nrecieve the parcel", "note": "we dont know, it\u2019s fine, growin\' up"}'
    words = [(w.text, w.case) for w in prose_words(text, {"recieve", "answer", "dont", "it's", "growin"})]
    assert words == [("recieve", 0), ("dont", 0)]  # a JSON key, a listed contraction, a dropped g: skipped


def test_names_are_not_typos(write_jsonl):
    rows = [
        {"prompt": "Weng earns $12 an hour for babysitting. How much did Weng earn?", "completion": "Weng earned $10."},
        {"prompt": "Natalia sold clips to 48 of her friends.", "completion": "Natalia sold 72 clips."},
        {"prompt": "How many pages did Maila read?", "completion": "Maila read 24 pages."},
        {"prompt": "Ricciana jumped 24 feet.", "completion": "She jumped one foott more than Ricciana."},
    ]
    (finding,) = scan(rows, write_jsonl).findings()
    assert (finding.row, finding.field) == (3, "completion")
    assert finding.message == "'foott' -> 'foot' (1 time)"


def test_a_word_mostly_written_capitalised_is_a_name(write_jsonl):
    # "Tomm" twice capitalised (a name), once lowercase: mostly capitalised, not reported
    rows = [
        chat("Who is Tomm?", "Tomm is our new intern."),
        chat("Tomm says hi.", "Tell tomm hello."),
    ]
    assert scan(rows, write_jsonl, rules={"T007": {"min-dataset-count": 10}}).count("T007") == 0


def test_words_frequent_in_the_dataset_are_its_vocabulary(write_jsonl):
    rows = [chat(f"Question {i}?", f"You will recieve answer {i}.") for i in range(3)]
    assert scan(rows, write_jsonl).count("T007") == 0  # 3 times: the dataset's own word
    assert scan(rows[:2], write_jsonl, name="two.jsonl").count("T007") == 1
    report = scan(rows, write_jsonl, name="three.jsonl", rules={"T007": {"min-dataset-count": 4}})
    assert report.findings()[0].message.startswith("'recieve' -> 'receive' (3 times; also at line 2")


def test_repeats_inside_one_text_count_towards_vocabulary(write_jsonl):
    rows = [chat("Tell me about the shwarma.", "The shwarma is good; shwarma wraps are popular.")]
    assert scan(rows, write_jsonl).count("T007") == 0


def test_ignore_words_and_min_length(write_jsonl):
    rows = [chat("Set up the recieve queue.", "Sure, and amd is fine.")]
    assert scan(rows, write_jsonl).count("T007") == 2
    report = scan(rows, write_jsonl, name="b.jsonl", rules={"T007": {"ignore-words": ["Recieve"], "min-length": 4}})
    assert report.count("T007") == 0


def test_runs_of_unknown_words_and_foreign_text_are_skipped(write_jsonl):
    rows = [
        chat("Translate please.", "Merci de me contacter avant de faire un litige, the seller wrote."),
        chat("And this one?", "Ti invieremo un mail con il link per modificare la password."),
        chat("Sing it.", "Sing vnto the Lord a newe song: sing vnto the Lord, and prayse his Name."),
    ]
    assert scan(rows, write_jsonl).count("T007") == 0


def test_tool_calls_and_tool_results_are_not_checked(write_jsonl):
    row = {
        "conversations": [
            {"from": "human", "value": "Find a recipe."},
            {"from": "function_call", "value": '{"name": "serch", "arguments": {"query": "chiken"}}'},
            {"from": "observation", "value": '{"recipes": ["Chiken stew with vegtables"]}'},
            {"from": "gpt", "value": "I found a chicken stew with vegetables."},
        ]
    }
    assert scan([row], write_jsonl).count("T007") == 0


def test_merging_split_states_gives_the_one_pass_answer(make_record):
    rows = [
        chat("Can you plese help?", "You will recieve it."),
        chat("Ok.", "The recieve step is done; thier order shipped."),
        chat("Who is Tomm?", "Tomm is new. Tell tomm thanks."),
        chat("More?", "We definately ship. Natalia sold clips; definately."),
        chat("Last.", "You will recieve a definately late parcel."),
        *CLEAN,
    ]
    records = [make_record(row, path="data.jsonl", row=i, line=i + 1) for i, row in enumerate(rows)]
    rule = Typo()
    whole = run_rule(rule, records)
    a, b, c = run_rule(rule, records[:2]), run_rule(rule, records[2:5]), run_rule(rule, records[5:])
    left, right = rule.merge(rule.merge(a, b), c), rule.merge(a, rule.merge(b, c))
    assert left == right == whole
    assert rule.merge(b, a) == whole  # order does not matter either
    found = [f.message for f in rule.finalize(whole)]
    assert found == ["'plese' -> 'please' (1 time)", "'thier' -> 'their' (1 time)"]
    assert [f.message for f in rule.finalize(left)] == found
    assert "recieve" in whole.vocabulary and "definately" in whole.vocabulary  # 3 times each
    assert pickle.loads(pickle.dumps(whole)) == whole
    assert list(rule.finalize(rule.new_state())) == []


def test_jobs_give_the_same_report(write_jsonl):
    a = write_jsonl([*CLEAN, chat("Can you plese help?", "You will recieve it.")], name="a.jsonl")
    b = write_jsonl([chat("Thanks.", "You will recieve it today. Is thier parcel late?"), *CLEAN], name="b.jsonl")
    one = dslint.scan([a, b], select=["T007"])
    two = dslint.scan([a, b], select=["T007"], jobs=2)
    assert [f.model_dump() for f in one.findings()] == [f.model_dump() for f in two.findings()]
    assert [f.message for f in one.findings()] == [
        "'plese' -> 'please' (1 time)",
        f"'recieve' -> 'receive' (2 times; also at {b}:1 messages[1].content)",
        "'thier' -> 'their' (1 time)",
    ]


def test_state_is_bounded_and_deterministic(make_record):
    words = ["plese", "recieve", "thier", "definately", "seperate", "becuase", "untill", "writting"]
    rows = [chat("Hello there.", f"Well, {w} is here.") for w in words]
    records = [make_record(row, row=i, line=i + 1) for i, row in enumerate(rows)]
    rule = Typo(Typo.Options(max_words=3))
    whole = run_rule(rule, records)
    parts = [run_rule(rule, records[i : i + 2]) for i in range(0, len(records), 2)]
    merged = parts[0]
    for part in parts[1:]:
        merged = rule.merge(merged, part)
    assert len(merged.words) + len(merged.vocabulary) <= 3
    assert merged.cutoff is not None
    found = [f.message for f in rule.finalize(whole)]
    assert len(found) == 3  # a hash sample of 3 of the 8 misspellings, the same whatever the split
    assert [f.message for f in rule.finalize(merged)] == found
    unbounded = [f.message for f in Typo().finalize(run_rule(Typo(), records))]
    assert len(unbounded) == 8 and set(found) <= set(unbounded)


def test_state_holds_only_unknown_words_and_few_locations(make_record):
    rows = [chat("Hi.", f"Ok {i}, plese wait.") for i in range(2)] + CLEAN * 5
    state = run_rule(Typo(Typo.Options(min_dataset_count=10)), [make_record(r, row=i) for i, r in enumerate(rows)])
    assert set(state.words) == {"plese"}
    texts, seen, capitalised, reportable, occurrences = state.words["plese"]
    assert (texts, seen, capitalised, reportable, len(occurrences)) == (2, 2, 0, 2, 2)
    rows = [chat("Hi.", "plese wait.")] * 8
    rule = Typo(Typo.Options(min_dataset_count=20))
    state = run_rule(rule, [make_record(r, row=i, line=i + 1) for i, r in enumerate(rows)])
    assert state.words["plese"][3] == 8 and len(state.words["plese"][4]) == 5  # exact count, 5 locations
    (finding,) = rule.finalize(state)
    assert finding.message == (
        "'plese' -> 'please' (8 times; also at line 2 messages[1].content, line 3 messages[1].content, "
        "line 4 messages[1].content, line 5 messages[1].content, 3 more)"
    )


def test_unsafe_fix_replaces_reported_words_and_is_idempotent(make_record):
    rows = [
        chat(
            "Plese check `plese_config` first, then plese reply.", "Sure: you will recieve it. See plese.example.com."
        ),
        chat("Thanks.", "Sure."),
    ]
    records = [make_record(row, row=i, line=i + 1) for i, row in enumerate(rows)]
    rule = Typo(Typo.Options(min_dataset_count=5))  # "plese" is written 4 times, as a URL part too
    assert rule.fix_applicability.value == "unsafe"
    state = run_rule(rule, records)
    assert [f.message.split(" (")[0] for f in rule.finalize(state)] == ["'plese' -> 'please'", "'recieve' -> 'receive'"]
    first = records[0]
    assert rule.fix(first, state) == ["messages[0].content", "messages[1].content"]
    assert first.raw["messages"][0]["content"] == "Please check `plese_config` first, then please reply."
    assert first.raw["messages"][1]["content"] == "Sure: you will receive it. See plese.example.com."
    assert first.messages[1].content == first.raw["messages"][1]["content"]
    assert rule.fix(first, state) == []  # idempotent
    assert rule.fix(records[1], state) == []


def test_unsafe_fix_through_clean(write_jsonl, tmp_path):
    rows = [*CLEAN, chat("When does it ship?", "You will recieve it tomorrow.")]
    path = write_jsonl(rows)
    safe = dslint.clean(path, tmp_path / "safe", select=["T007"])
    assert safe.manifest.totals["fixed"] == 0  # unsafe: opt-in
    result = dslint.clean(path, tmp_path / "out", select=["T007"], unsafe_fixes=True)
    assert result.manifest.fixes == {"T007": 1}
    written = [json.loads(line) for line in (tmp_path / "out" / "train.jsonl").read_text().splitlines()]
    assert written[-1]["messages"][1]["content"] == "You will receive it tomorrow."
    assert written[:-1] == CLEAN


def test_options_and_severity(write_jsonl):
    assert LANGUAGES == ("en",)
    with pytest.raises(ValidationError, match="no word list ships for 'fr'"):
        Typo.Options.model_validate({"language": "fr"})
    with pytest.raises(SpellingError):
        word_list("fr")
    rows = [chat("Could you plese help?", "Sure.")]
    report = scan(rows, write_jsonl, severity={"T007": "error"})
    assert report.findings()[0].severity == "error" and not report.passed
    assert Typo().severity == Severity.WARNING
    doc = Typo.documentation()
    assert Typo.summary() == "A misspelt word, decided over the dataset's whole vocabulary."
    for part in ("**What it does**", "**Why it matters**", "**Example**", "**Fix**"):
        assert part in doc


def test_openai_content_parts_are_checked_but_not_rewritten(make_record):
    row = {
        "messages": [
            {
                "role": "user",
                "content": [{"type": "text", "text": "Can you plese describe it?"}, {"type": "image_url"}],
            },
            {"role": "assistant", "content": "A cat."},
        ]
    }
    record = make_record(row)
    rule = Typo()
    state = run_rule(rule, [record])
    (finding,) = rule.finalize(state)
    assert finding.location == Location("train.jsonl", 0, 1, "train", "messages[0].content", (8, 13))
    assert rule.fix(record, state) == []  # the input holds parts, not one string: left alone


# -- real data ----------------------------------------------------------------------------------------------


def _messages(report):
    return {f.message.split(" (")[0] for f in report.findings()}


def test_c4_web_text_typos():
    report = dslint.scan(C4, select=["T007"], sample_size=100)
    found = _messages(report)
    true_typos = {
        "'apperances' -> 'appearances'",
        "'hazlenut' -> 'hazelnut'",
        "'melancoly' -> 'melancholy'",
        "'middele' -> 'middle'",
        "'influnces' -> 'influences'",
        "'exoerience' -> 'experience'",
        "'straighforward' -> 'straightforward'",
        "'adjustement' -> 'adjustment'",
        "'myslef' -> 'myself'",
        "'wirelesss' -> 'wireless'",
        "'undosclosed' -> 'undisclosed'",
        "'sillhouette' -> 'silhouette'",
        "'tatoos' -> 'tattoos'",
        "'alot' -> 'a lot'",
        "'aswell' -> 'as well'",
        "'didnt' -> 'didn't'",
        "'amd' -> 'and'",
        "'coulored' -> 'coloured'",
    }
    assert true_typos <= found
    assert len(found) <= 30  # measured: 27 findings, 24 true typos (see the report)
    # the archaic King James text (row 115) and the Finnish/Italian passages are not reported
    assert not {f for f in found if any(w in f for w in ("prayse", "trueth", "vnto", "asiakkaillemme"))}


def test_anthropic_json_mode_has_no_false_positives():
    # JSON documents full of camelCase keys, American spellings and names
    assert dslint.scan(ANTHROPIC, select=["T007"]).count("T007") == 0


def test_glaive_tool_calls_have_almost_no_false_positives():
    # tool calls, JSON tool results and schemas are not checked; one French phrase gets through ("en plein air")
    assert _messages(dslint.scan(GLAIVE, select=["T007"])) <= {"'plein' -> 'plain'"}


def test_gsm8k_names_are_not_typos(write_jsonl):
    rows = [json.loads(line) for line in GSM8K.read_text(encoding="utf-8").splitlines()]
    path = write_jsonl([{"prompt": r["question"], "completion": r["answer"]} for r in rows], name="gsm8k.jsonl")
    report = dslint.scan(path, select=["T007"], sample_size=100)
    found = _messages(report)
    assert {"'additinal' -> 'additional'", "'cannisters' -> 'canisters'", "'boweld' -> 'bowled'"} <= found
    assert len(found) <= 15  # measured: 11 findings, 7 true typos; none of the thousands of names
    assert not {f for f in found if any(n in f for n in ("natalia", "weng", "maila", "ricciana"))}


def test_update_state_types(make_record):
    state = Typo().new_state()
    assert isinstance(state, TypoState) and state.cutoff is None
