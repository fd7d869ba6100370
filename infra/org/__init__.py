"""drs-reprotect for a whole AWS Organization: the `organization` block of the CDK context, the member
StackSets (canary and the rest), the hub, the per-region asset buckets and observability sinks, and the
rollout arithmetic. See docs/organization.md."""
