"""dslint: a linter for LLM training datasets.

>>> import dslint
>>> report = dslint.scan("data/train.jsonl")
>>> print(report)
"""

from dslint.api import clean, scan
from dslint.config import Config, ConfigError
from dslint.records import Finding, Location, Message, Record, Severity
from dslint.report.model import Report
from dslint.rules.base import CrossSplitRule, DatasetRule, RecordRule, Rule, RuleOptions
from dslint.version import __version__

__all__ = [
    "Config",
    "ConfigError",
    "CrossSplitRule",
    "DatasetRule",
    "Finding",
    "Location",
    "Message",
    "Record",
    "RecordRule",
    "Report",
    "Rule",
    "RuleOptions",
    "Severity",
    "__version__",
    "clean",
    "scan",
]
