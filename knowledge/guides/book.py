"""All matter guides, loaded once from the guides folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from knowledge.guides.model import Guide, GuideFormatError, read_guide


@dataclass(frozen=True)
class GuideBook:
    guides: dict[str, Guide]

    def __getitem__(self, guide_id: str) -> Guide:
        return self.guides[guide_id]

    def __contains__(self, guide_id: object) -> bool:
        return guide_id in self.guides

    def __iter__(self) -> Iterator[Guide]:
        return iter(self.guides.values())

    def __len__(self) -> int:
        return len(self.guides)

    def get(self, guide_id: str | None) -> Guide | None:
        return self.guides.get(guide_id) if guide_id else None


def load_guides(directory: Path, *, dispute_types: tuple[str, ...] = ()) -> GuideBook:
    """Every ``*.yml`` under ``directory``; raises ``GuideFormatError`` on the first bad file."""
    if not directory.is_dir():
        raise GuideFormatError(f"guides folder not found: {directory} (set CUNFA_GUIDES_DIR)")
    guides: dict[str, Guide] = {}
    for path in sorted(directory.glob("*.yml")):
        guide = read_guide(path, dispute_types=dispute_types)
        guides[guide.id] = guide
    return GuideBook(guides)
