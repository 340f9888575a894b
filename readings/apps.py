from django.apps import AppConfig


class ReadingsConfig(AppConfig):
    name = "readings"
    verbose_name = "D0010 meter readings"
    default_auto_field = "django.db.models.BigAutoField"
