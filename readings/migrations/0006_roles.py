"""Ready-made roles: the groups "Support agent", "Operations" and "Administrator".

Later migrations add the permissions of later features to these groups with ``grant`` (from
``_roles``): downloading a flow file and seeing import attempts go to "Operations" (and so to
"Administrator", which has every permission of this app) in the migrations that create them.
"""

from django.db import migrations

from readings.migrations._roles import grant

MODELS = ("flowfile", "meterpoint", "meter", "filemeter", "reading", "sitevisit")

# View everything in the app, and export the reading list.
SUPPORT_AGENT = (*(f"readings.view_{model}" for model in MODELS), "readings.export_reading")

# A support agent's permissions and uploading flow files.
OPERATIONS = (*SUPPORT_AGENT, "readings.import_flowfile")

# Every permission of the app, and managing users and groups. (Deleting a flow file stays with
# superusers, whatever the permissions.)
ADMINISTRATOR = (
    *(
        f"readings.{action}_{model}"
        for model in MODELS
        for action in ("add", "change", "delete", "view")
    ),
    "readings.export_reading",
    "readings.import_flowfile",
    *(
        f"auth.{action}_{model}"
        for model in ("user", "group")
        for action in ("view", "change", "add")
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("readings", "0005_meter_groups_plural"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        grant(
            {
                "Support agent": SUPPORT_AGENT,
                "Operations": OPERATIONS,
                "Administrator": ADMINISTRATOR,
            }
        ),
    ]
