"""drs-reprotect infrastructure: the reusable DrsReprotect construct and the stack that composes it."""

from infra.config import ConfigError, ReprotectSettings, TagSpec
from infra.reprotect import DrsReprotect
from infra.stack import DrsReprotectStack

__all__ = ["ConfigError", "DrsReprotect", "DrsReprotectStack", "ReprotectSettings", "TagSpec"]
