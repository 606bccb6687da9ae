"""P003 marker-inside-text: a prompt containing its own separator, a completion containing its own stop sequence."""

import dslint
from dslint.rules.prompt.marker_inside_text import MarkerInsideText

SEP = "\n\n###\n\n"


def test_clean_records_pass(write_jsonl):
    rows = [
        {"prompt": "Mn-doped ZnO films were grown by PLD." + SEP, "completion": " [Mn, ZnO]\n\nEND\n\n"},
        # END inside a word is not the stop word; "#" in C# is not the separator "###"
        {"prompt": "A LEGEND of C# solvers." + SEP, "completion": " The BACKEND was rewritten. END"},
        # single-character markers (":") and whitespace-only ones ("\n\n") are not distinctive
        {"prompt": "Q: Is it wet?\nA:", "completion": " Yes:\n\nit rained.\n\n"},
        {"prompt": "Ratio 3:2 ->", "completion": " fine"},
        # chat records are not checked
        {"messages": [{"role": "user", "content": "### a\n\n###\n\n"}, {"role": "assistant", "content": "ok ###"}]},
    ]
    assert dslint.scan(write_jsonl(rows), select=["P003"]).count("P003") == 0


def test_separator_and_stop_inside_their_fields_are_reported(write_jsonl):
    prompt = "### Abstract\nThe films were annealed.\n\n###\n\nMore text." + SEP
    completion = " Step 1 END of the anneal. Then END again. END"
    rows = [
        {"prompt": "Plain abstract." + SEP, "completion": " [ZnO]\n\nEND\n\n"},
        {"prompt": prompt, "completion": completion},
    ]
    path = write_jsonl(rows)
    report = dslint.scan(path, select=["P003"])
    found = sorted(report.findings(), key=lambda f: f.field)
    assert [(f.line, f.row, f.field, f.span) for f in found] == [
        (2, 1, "completion", [8, 11]),
        (2, 1, "prompt", [0, 3]),
    ]
    stop, sep = found
    assert stop.message == (
        'the completion\'s stop sequence " END" ("END") occurs inside it 2 times, first at character 8: '
        "generation would stop there"
    )
    assert sep.message == (
        'the prompt\'s separator "\\n\\n###\\n\\n" ("###") occurs inside it 2 times, first at character 0: '
        "the model sees the prompt's end early"
    )
    assert sep.excerpt.startswith("### Abstract The films")
    assert all(f.severity == "error" for f in found)


def test_arrow_separator_inside_a_single_line_prompt(make_record):
    record = make_record({"prompt": "p->next is NULL ->", "completion": " a null pointer END"})
    (finding,) = MarkerInsideText().check(record)
    assert (finding.location.field, finding.location.span) == ("prompt", (1, 3))
    assert 'separator " ->" ("->") occurs inside it once' in finding.message


def test_newline_stop_sequence_only_with_the_option(make_record):
    record = make_record({"prompt": "Name two metals ->", "completion": " iron\ncopper\n"})
    assert list(MarkerInsideText().check(record)) == []
    rule = MarkerInsideText(MarkerInsideText.Options.model_validate({"whitespace-markers": True}))
    (finding,) = rule.check(record)
    assert (finding.location.field, finding.location.span) == ("completion", (5, 6))
    assert finding.message.startswith('the completion\'s stop sequence "\\n" occurs inside it once, first at')
