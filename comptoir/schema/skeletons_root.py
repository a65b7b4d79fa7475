"""Query and Mutation fields of the virtual-host template (skeleton, SPEC §4.10)."""

from __future__ import annotations

import strawberry

from comptoir.resolvers import skeletons as r
from comptoir.schema.permissions import IsStaff
from comptoir.schema.skeletons import Skeleton, SkeletonPayload


@strawberry.type
class SkeletonQuery:
    my_skeleton: Skeleton = strawberry.field(
        resolver=r.my_skeleton, permission_classes=[IsStaff],
        description="The virtual-host template the seller's new webspaces are created from.")


@strawberry.type
class SkeletonMutation:
    skeleton_upload: SkeletonPayload = strawberry.mutation(
        resolver=r.skeleton_upload, permission_classes=[IsStaff],
        description="Replace the skeleton with an archive (tar, tar.gz/tgz or zip), checked whole first.")
    skeleton_reset: SkeletonPayload = strawberry.mutation(
        resolver=r.skeleton_reset, permission_classes=[IsStaff],
        description='Back to the stock skeleton ("Default").')
