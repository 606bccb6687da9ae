"""The explicit registry of built-in rules (no registration by import side effect).

Third-party rules come in through the `dslint.rules` entry-point group: each entry point names a Rule
subclass (or a list of them) and is loaded by `all_rules()`.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from dslint.rules.balance.identity_term_skew import IdentityTermSkew
from dslint.rules.balance.label_imbalance import LabelImbalance
from dslint.rules.balance.language_mix import LanguageMix
from dslint.rules.base import CrossSplitRule, DatasetRule, InputRule, RecordRule, Rule
from dslint.rules.chat.assistant_before_user import AssistantBeforeUser
from dslint.rules.chat.consecutive_same_role import ConsecutiveSameRole
from dslint.rules.chat.empty_content import EmptyContent
from dslint.rules.chat.last_turn_not_assistant import LastTurnNotAssistant
from dslint.rules.chat.no_assistant_turn import NoAssistantTurn
from dslint.rules.chat.system_not_first import SystemNotFirst
from dslint.rules.chat.unexpected_key import UnexpectedKey
from dslint.rules.chat.unknown_role import UnknownRole
from dslint.rules.chat.wrong_type import WrongType
from dslint.rules.duplicates.conflicting_answers import ConflictingAnswers
from dslint.rules.duplicates.exact_duplicate import ExactDuplicate
from dslint.rules.duplicates.near_duplicate import NearDuplicate
from dslint.rules.duplicates.prompt_overuse import PromptOveruse
from dslint.rules.format.mixed_formats import MixedFormats
from dslint.rules.format.unknown_format import UnknownFormat
from dslint.rules.input.byte_order_mark import ByteOrderMark
from dslint.rules.input.empty_file import EmptyFile
from dslint.rules.input.invalid_json import InvalidJson
from dslint.rules.input.invalid_utf8 import InvalidUtf8
from dslint.rules.input.not_an_object import NotAnObject
from dslint.rules.leakage.exact_leakage import ExactLeakage
from dslint.rules.leakage.near_leakage import NearLeakage
from dslint.rules.leakage.ngram_contamination import NgramContamination
from dslint.rules.length.short_reply import ShortReply
from dslint.rules.length.too_few_examples import TooFewExamples
from dslint.rules.length.too_many_tokens import TooManyTokens
from dslint.rules.prompt.completion_leading_space import CompletionLeadingSpace
from dslint.rules.prompt.control_token import ControlToken
from dslint.rules.prompt.marker_inside_text import MarkerInsideText
from dslint.rules.prompt.role_header import RoleHeader
from dslint.rules.prompt.separator_consensus import SeparatorConsensus
from dslint.rules.prompt.stop_consensus import StopConsensus
from dslint.rules.prompt.system_prompt_variants import SystemPromptVariants
from dslint.rules.splits.label_shift import LabelShift
from dslint.rules.splits.missing_validation_split import MissingValidationSplit
from dslint.rules.splits.split_too_small import SplitTooSmall
from dslint.rules.text.degenerate_repetition import DegenerateRepetition
from dslint.rules.text.html_noise import HtmlNoise
from dslint.rules.text.invisible_character import InvisibleCharacter
from dslint.rules.text.mojibake import Mojibake
from dslint.rules.text.pii import Pii
from dslint.rules.text.repeated_punctuation import RepeatedPunctuation
from dslint.rules.text.replacement_character import ReplacementCharacter
from dslint.rules.text.secret import Secret
from dslint.rules.text.template_placeholder import TemplatePlaceholder
from dslint.rules.text.typo import Typo
from dslint.rules.text.whitespace import Whitespace

BUILTIN_RULES: tuple[type[Rule], ...] = (
    InvalidJson,
    NotAnObject,
    InvalidUtf8,
    ByteOrderMark,
    EmptyFile,
    UnknownFormat,
    MixedFormats,
    UnknownRole,
    SystemNotFirst,
    ConsecutiveSameRole,
    AssistantBeforeUser,
    NoAssistantTurn,
    LastTurnNotAssistant,
    EmptyContent,
    WrongType,
    UnexpectedKey,
    TooManyTokens,
    ShortReply,
    TooFewExamples,
    HtmlNoise,
    Mojibake,
    ReplacementCharacter,
    InvisibleCharacter,
    Whitespace,
    RepeatedPunctuation,
    Typo,
    TemplatePlaceholder,
    DegenerateRepetition,
    Secret,
    Pii,
    SeparatorConsensus,
    StopConsensus,
    MarkerInsideText,
    CompletionLeadingSpace,
    ControlToken,
    RoleHeader,
    SystemPromptVariants,
    ExactDuplicate,
    NearDuplicate,
    ConflictingAnswers,
    PromptOveruse,
    LabelImbalance,
    IdentityTermSkew,
    LanguageMix,
    MissingValidationSplit,
    SplitTooSmall,
    LabelShift,
    ExactLeakage,
    NearLeakage,
    NgramContamination,
)

ENTRY_POINT_GROUP = "dslint.rules"


class PluginError(Exception):
    """A `dslint.rules` entry point that does not load or does not name Rule classes."""


def plugin_rules() -> list[type[Rule]]:
    found: list[type[Rule]] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not look like a dslint crash
            raise PluginError(f"rule plugin {ep.name!r} ({ep.value}) failed to load: {exc}") from None
        classes = obj if isinstance(obj, (list, tuple)) else [obj]
        for cls in classes:
            if not (isinstance(cls, type) and issubclass(cls, Rule) and getattr(cls, "code", None)):
                raise PluginError(f"rule plugin {ep.name!r} ({ep.value}) does not name Rule classes")
            found.append(cls)
    return found


def all_rules() -> dict[str, type[Rule]]:
    """Every known rule by code, built-ins first; a plugin may not reuse a built-in code."""
    rules: dict[str, type[Rule]] = {}
    for cls in (*BUILTIN_RULES, *plugin_rules()):
        if cls.code in rules and rules[cls.code] is not cls:
            raise PluginError(f"rule code {cls.code} is defined twice ({rules[cls.code].__name__}, {cls.__name__})")
        rules[cls.code] = cls
    return rules


__all__ = [
    "BUILTIN_RULES",
    "CrossSplitRule",
    "DatasetRule",
    "InputRule",
    "RecordRule",
    "Rule",
    "all_rules",
]
