"""drs-reprotect infrastructure: the reusable DrsReprotect construct and the stack that composes it."""

from infra.reprotect import DrsReprotect
from infra.settings import ConfigError, ReprotectSettings
from infra.stack import DrsReprotectStack
from reprotect.tags import TagSpec

__all__ = ["ConfigError", "DrsReprotect", "DrsReprotectStack", "ReprotectSettings", "TagSpec"]
