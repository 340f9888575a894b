"""The REST API (``/api/v1/``): flow files uploaded and listed, meter points and their readings.

An interface like the command and the admin upload: each view parses its input, makes one call
to the import service or a query (``readings.queries``) and translates the result or the
``ImportNotDone`` it raises. ``urls`` names the paths, ``views`` the views, ``serializers`` the
shapes (which drf-spectacular turns into the OpenAPI schema), ``permissions`` the model
permissions as the admin has them, ``throttling`` the per-user rates and ``errors`` the JSON
bodies of every refusal.
"""
