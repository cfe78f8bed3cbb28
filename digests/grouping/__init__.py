"""Identity and grouping of stories across outlets: canonical URLs and near-duplicate text."""

from digests.grouping.minhash import Signature, near_duplicates, signature
from digests.grouping.urls import URLError, canonical_url

__all__ = ["Signature", "URLError", "canonical_url", "near_duplicates", "signature"]
