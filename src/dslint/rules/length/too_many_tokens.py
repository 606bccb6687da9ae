from collections.abc import Iterator

from pydantic import Field

from dslint.records import Finding, Record, Severity
from dslint.rules.base import RecordRule, RuleOptions


class TooManyTokensOptions(RuleOptions):
    max_tokens: int = Field(4096, gt=0, description="The longest example, in tokens, the trainer will see.")


class TooManyTokens(RecordRule):
    """An example longer than the context the trainer will use, in tokens.

    **What it does**: counts each example's tokens with tiktoken (offline; `encoding`, default `o200k_base`)
    and reports examples over `max-tokens` (default 4096), naming the longest field. For chat and ShareGPT
    records the count adds 3 tokens per turn and 3 for the reply primer, as OpenAI's counting guide does, to
    approximate the chat template.

    **Why it matters**: over-long examples are truncated (the end of the answer, often the end-of-turn token, is
    never learned, or the whole loss is masked) or dropped silently, depending on the trainer.

    **Example**: an assistant reply of "Eat a banana!" repeated 2000 times (~8k tokens).

    **Fix**: shorten or split the example, raise `max-tokens` to your real context length, or drop it.
    """

    code = "L001"
    name = "too-many-tokens"
    default_severity = Severity.ERROR
    Options = TooManyTokensOptions
    options: TooManyTokensOptions

    def check(self, record: Record) -> Iterator[Finding]:
        limit = self.options.max_tokens
        if record.n_tokens <= limit:
            return
        message = f"example has {record.n_tokens} tokens, over max-tokens {limit}"
        if not record.messages:
            yield self.finding(message, record.location)
            return
        longest = max(record.messages, key=lambda m: m.n_tokens)
        yield self.finding(f"{message} (longest field: {longest.n_tokens} tokens)", record.location.at(longest.field))
