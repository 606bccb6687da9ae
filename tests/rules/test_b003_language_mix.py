"""B003 language-mix: records in another language than the rest of the dataset."""

import json
import re
from pathlib import Path

import pytest

import dslint
from dslint.config import ConfigError
from dslint.records import Severity
from dslint.rules.balance.language_mix import LanguageMix, LanguageMixOptions
from dslint.text.langid import DETECTORS, detector, language_name

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

ENGLISH = [
    "How do I keep basil fresh for longer after buying it at the market?",
    "What is the difference between a virus and a bacterium, in simple terms?",
    "Can you suggest a short reading list about the history of the Roman Empire?",
    "Why does bread go stale faster in the refrigerator than on the counter?",
    "Please explain how compound interest works with a small example.",
]
REPLY = "Here is a clear answer with a few practical steps that you can follow at home today."
SPANISH = "¿Cuál es la mejor manera de aprender a tocar la guitarra sin un profesor particular?"
SPANISH_REPLY = "Puedes empezar con canciones sencillas y practicar todos los días durante media hora."
FRENCH = "Pouvez-vous m'expliquer comment fonctionne la photosynthèse chez les plantes vertes ?"
FRENCH_REPLY = "Les plantes utilisent la lumière du soleil pour transformer l'eau et le gaz carbonique en sucre."


def chat(user: str, reply: str = REPLY, system: str | None = None) -> dict:
    turns = [] if system is None else [{"role": "system", "content": system}]
    return {"messages": [*turns, {"role": "user", "content": user}, {"role": "assistant", "content": reply}]}


def english(n: int) -> list[dict]:
    return [chat(f"{ENGLISH[i % len(ENGLISH)]} (question {i})") for i in range(n)]


def test_one_language_passes(write_jsonl):
    assert dslint.scan(write_jsonl(english(30)), select=["B003"]).count("B003") == 0


def test_each_other_language_is_one_finding_with_counts_splits_and_rows(write_jsonl):
    rows = english(40)
    rows[7] = chat(SPANISH, SPANISH_REPLY)
    rows[21] = chat(SPANISH + " (2)", SPANISH_REPLY)
    rows[30] = chat(FRENCH, FRENCH_REPLY)
    rows.append({**chat(SPANISH + " (3)", SPANISH_REPLY), "split": "validation"})
    path = write_jsonl(rows)
    found = dslint.scan(path, select=["B003"]).findings()
    assert [f.message for f in found] == [
        "3 record(s) (7.3% of the 41 checked) are in Spanish (es), not English (en), the language of most records "
        "(37); by split: train 2, validation 1; rows 7, 21, 40",
        "1 record(s) (2.4% of the 41 checked) are in French (fr), not English (en), the language of most records "
        "(37); by split: train 1; rows 30",
    ]
    assert [(f.row, f.line, f.field, f.split) for f in found] == [
        (7, 8, "messages[1].content", "train"),
        (30, 31, "messages[1].content", "train"),
    ]
    assert {f.severity for f in found} == {"warning"}


def test_listed_rows_are_bounded(write_jsonl):
    rows = english(30) + [chat(f"{SPANISH} ({i})", SPANISH_REPLY) for i in range(8)]
    (found,) = dslint.scan(write_jsonl(rows), select=["B003"], rules={"B003": {"max-listed": 3}}).findings()
    assert found.message.endswith("rows 30, 31, 32 (+5 more)")


def test_a_configured_language_reports_everything_else(write_jsonl):
    rows = [chat(f"{SPANISH} ({i})", SPANISH_REPLY) for i in range(5)] + english(2)
    path = write_jsonl(rows)
    (found,) = dslint.scan(path, select=["B003"]).findings()
    assert "are in English (en), not Spanish (es), the language of most records (5)" in found.message
    (found,) = dslint.scan(path, select=["B003"], rules={"B003": {"language": "en"}}).findings()
    assert found.message.startswith("5 record(s) (71.4% of the 7 checked) are in Spanish (es), not English (en), the")
    assert "the configured language" in found.message


def test_short_texts_system_prompts_and_unclear_text_are_not_judged(write_jsonl):
    rows = english(20)
    rows.append(chat("Hola", "Sí"))  # too short to judge
    rows.append(chat(ENGLISH[0], system=FRENCH + " " + FRENCH_REPLY))  # the system prompt is not read
    rows.append(chat('{"a": 1, "b": [2, 3]}', "12345 + 67890 = 80235; 3 * 7 = 21; 9 - 4 = 5"))  # no language
    rows.append(chat(FRENCH, FRENCH_REPLY))
    (found,) = dslint.scan(write_jsonl(rows), select=["B003"]).findings()
    assert "are in French (fr)" in found.message and found.row == 23
    assert found.message.endswith("; 1 too short and 1 of uncertain language not counted")


def test_sampling_is_deterministic_and_said(write_jsonl):
    rows = english(60) + [chat(f"{SPANISH} ({i})", SPANISH_REPLY) for i in range(40)]
    path = write_jsonl(rows)
    options = {"B003": {"sample-after": 50, "sample-rate": 0.5}}
    first = dslint.scan(path, select=["B003"], rules=options)
    again = dslint.scan(path, select=["B003"], rules=options)
    assert first.to_json() == again.to_json()
    (found,) = first.findings()
    checked = re.search(r"; sampled: (\d+) of 100 records checked$", found.message)
    assert checked is not None and 60 < int(checked.group(1)) < 100  # all of the first 50, about half the rest
    spanish = int(found.message.split()[0])
    assert 0 < spanish < 40 and 50 + spanish <= int(checked.group(1))
    assert found.row >= 60
    assert dslint.scan(path, select=["B003"]).findings()[0].message.startswith("40 record(s)")  # no sampling


def test_the_fully_checked_records_are_shared_among_the_files(tmp_path):
    # a dataset in shards costs what one file costs: sample-after 10 over 5 files is the first 2 of each
    folder = tmp_path / "shards"
    folder.mkdir()
    for k in range(5):
        rows = [chat(SPANISH, SPANISH_REPLY) if i == 2 else chat(ENGLISH[i % 5]) for i in range(20)]
        (folder / f"part-{k}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    options = {"B003": {"sample-after": 10, "sample-rate": 1e-9}}
    report = dslint.scan(folder, select=["B003"], rules=options)
    assert report.count("B003") == 0  # row 2 of each file, the Spanish one, is past each file's share
    options["B003"]["sample-after"] = 15  # 3 a file: row 2 is checked in every file
    (found,) = dslint.scan(folder, select=["B003"], rules=options).findings()
    assert found.message.startswith("5 record(s) (33.3% of the 15 checked) are in Spanish (es)")
    assert found.message.endswith("; sampled: 15 of 100 records checked")
    one = dslint.scan(folder / "part-0.jsonl", select=["B003"], rules=options).findings()[0].message
    assert one.endswith("; sampled: 15 of 20 records checked")  # one file: all of its 15


def test_detectors_agree_on_clear_text_and_are_deterministic():
    assert DETECTORS == ("py3langid", "langdetect")
    for name in DETECTORS:
        detect = detector(name)
        assert detect(SPANISH_REPLY).language == "es"
        assert detect(FRENCH_REPLY).language == "fr"
        assert detect("我的目标是协助用户解决问题和满足他们的需求。").language == "zh"  # zh-cn is read as zh
        assert detect("12345 !!! 678").language == "und"
        results = {detect(ENGLISH[1] + " " + SPANISH) for _ in range(5)}
        assert len(results) == 1
    assert language_name("fi") == "Finnish (fi)" and language_name("xx") == "xx"
    with pytest.raises(ValueError, match="unknown language detector"):
        detector("cld3")  # type: ignore[arg-type]


def test_langdetect_is_selectable(write_jsonl):
    rows = [*english(20), chat(FRENCH, FRENCH_REPLY)]
    report = dslint.scan(write_jsonl(rows), select=["B003"], rules={"B003": {"detector": "langdetect"}})
    (found,) = report.findings()
    assert "are in French (fr)" in found.message and found.row == 20
    with pytest.raises(ConfigError, match="detector"):
        dslint.scan(write_jsonl(rows, "b.jsonl"), select=["B003"], rules={"B003": {"detector": "cld3"}})


def test_identity_dataset_is_mostly_chinese():
    # LLaMA-Factory's identity.json: rows 0-15 are English, rows 16-90 Chinese (alpaca; instruction + output)
    path = DATA / "lf_identity" / "identity.json"
    (found,) = dslint.scan(path, select=["B003"]).findings()
    assert found.message.startswith(
        "14 record(s) (15.7% of the 89 checked) are in English (en), not Chinese (zh), the language of most "
        "records (75); by split: train 14; rows 0, 1, 2, 3, 4 (+9 more)"
    )
    assert found.row == 0
    (found,) = dslint.scan(path, select=["B003"], rules={"B003": {"language": "en"}}).findings()
    assert found.message.startswith("75 record(s) (84.3% of the 89 checked) are in Chinese (zh), not English (en)")
    assert "rows 16, 17, 18, 19, 20 (+70 more)" in found.message
    assert found.row == 16 and found.field == "output"
    # every Chinese row is found, 74 and 82-86 (the ones without a {{name}} placeholder) among them
    options = {"B003": {"language": "en", "max-listed": 100}}
    (found,) = dslint.scan(path, select=["B003"], rules=options).findings()
    assert f"rows {', '.join(str(row) for row in range(16, 91))}; 2 of uncertain" in found.message


def test_c4_demo_has_one_finnish_record():
    # French (a bibliography, row 246) and Italian (reader comments, row 296) passages sit inside English
    # records: the records are English, and only the all-Finnish row 215 is another language
    (found,) = dslint.scan(DATA / "lf_c4_demo" / "c4_demo.jsonl", select=["B003"]).findings()
    assert found.message.startswith("1 record(s) (0.34% of the 294 checked) are in Finnish (fi), not English (en)")
    assert (found.row, found.field) == (215, "text")


def test_english_example_is_clean():
    path = EXAMPLES / "anthropic_json_mode_chat" / "json_mode_dataset.jsonl"
    assert dslint.scan(path, select=["B003"]).count("B003") == 0


def test_state_merges_associatively(make_record):
    rule = LanguageMix(LanguageMixOptions.model_validate({"max-listed": 2, "sample-after": 3, "sample-rate": 0.5}))
    values = [chat(SPANISH, SPANISH_REPLY) if i % 3 == 0 else chat(ENGLISH[i % 5]) for i in range(12)]
    values[1] = chat("Hi", "Yo")
    records = [make_record(v, path=f"part{i // 6}.jsonl", row=i % 6, line=i % 6 + 1) for i, v in enumerate(values)]
    whole = rule.new_state()
    for r in records:
        whole = rule.update(whole, r)
    a, b, c = rule.new_state(), rule.new_state(), rule.new_state()
    for r in records[:4]:
        a = rule.update(a, r)
    for r in records[4:6]:
        b = rule.update(b, r)
    for r in records[6:]:
        c = rule.update(c, r)
    assert rule.merge(rule.merge(a, b), c) == rule.merge(a, rule.merge(b, c)) == whole
    assert whole.short == 1 and whole.sampled_out > 0
    # rows 4 and 5 of each part are sampled out, rows 0-2 always checked: the Spanish ones are the rows 0 and 3
    assert whole.first["es"] == [  # the first two, at their longest text
        ("part0.jsonl", 0, 1, "train", "messages[1].content"),
        ("part0.jsonl", 3, 4, "train", "messages[1].content"),
    ]


def test_report_is_identical_for_one_and_two_jobs(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    parts = ([*english(25), chat(SPANISH, SPANISH_REPLY)], [chat(FRENCH, FRENCH_REPLY), *english(25)])
    for name, rows in zip(("a.jsonl", "b.jsonl"), parts, strict=True):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    options = {"B003": {"sample-after": 10, "sample-rate": 0.7}}
    one = dslint.scan(folder, select=["B003"], jobs=1, rules=options)
    two = dslint.scan(folder, select=["B003"], jobs=2, rules=options)
    assert one.to_json() == two.to_json()
    assert one.count("B003") >= 1


def test_severity_and_documentation():
    assert LanguageMix.default_severity == Severity.WARNING
    doc = LanguageMix.documentation()
    for part in ("**What it does**", "**Why it matters**", "**Example**", "**Fix**", "py3langid", "sample-rate"):
        assert part in doc
