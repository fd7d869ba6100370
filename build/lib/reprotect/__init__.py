"""drs-reprotect: restart stopped AWS Elastic Disaster Recovery replication, within policy."""

__version__ = "0.1.0"
