import os

from django.core.wsgi import get_wsgi_application

from bereik.conf.runtime import settle_garbage_collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bereik.conf.settings.production")
application = get_wsgi_application()
settle_garbage_collector()
