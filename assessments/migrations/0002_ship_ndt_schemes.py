"""Ship NDT (standard) v1 and NDT (amended) v1, read from assessments/schemes/*.json."""

import json
from pathlib import Path

from django.db import migrations

SCHEMES = Path(__file__).resolve().parent.parent / "schemes"


def load(apps, schema_editor):
    Scheme = apps.get_model("assessments", "AssessmentScheme")
    Item = apps.get_model("assessments", "SchemeItem")
    created = {}
    for name in ["ndt-standard-v1.json", "ndt-amended-v1.json"]:
        data = json.loads((SCHEMES / name).read_text())
        if Scheme.objects.filter(code=data["code"], version=data["version"]).exists():
            continue
        ref = data.get("comparable_to")
        scheme = Scheme.objects.create(
            code=data["code"],
            name=data["name"],
            version=data["version"],
            instruction=data["instruction"],
            comparable_to=created.get((ref["code"], ref["version"])) if ref else None,
            is_current=True,
        )
        created[(scheme.code, scheme.version)] = scheme
        for n, item in enumerate(data["items"], start=1):
            Item.objects.create(
                scheme=scheme,
                position=n,
                key=item["key"],
                title=item["title"],
                guidance=item.get("guidance", ""),
                weight=item["weight"],
                levels=item["levels"],
            )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
