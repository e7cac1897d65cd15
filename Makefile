.PHONY: run test lint check bench-directory bench-matching messages

# Runs Mutua on SQLite with demo data at http://127.0.0.1:8000
run:
	scripts/venv.sh
	.venv/bin/python manage.py compilemessages --ignore=.venv -v0
	.venv/bin/python manage.py migrate --no-input -v0
	.venv/bin/python manage.py seed_demo
	@# Background jobs (matching runs, emails) need a worker, and time-driven jobs (reminders, expiring
	@# offers, email retries) the one scheduler, which enqueues them for the worker (decision 0017). The
	@# scheduler is quiet (errors only); both stop with the server.
	.venv/bin/python manage.py db_worker & W=$$!; \
	.venv/bin/python manage.py crontask --no-heartbeat >/dev/null & S=$$!; \
	trap "kill $$W $$S" EXIT; .venv/bin/python manage.py runserver 127.0.0.1:8000

# Runs every test: SQLite, then PostgreSQL when reachable.
test:
	scripts/test.sh

lint:
	scripts/venv.sh test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy mutua

# Extracts new strings into the four catalogues.
messages:
	.venv/bin/python manage.py makemessages -l es -l it -l ca --ignore=.venv --ignore=bench --no-obsolete

bench-directory:
	scripts/venv.sh test
	.venv/bin/python bench/directory.py

bench-matching:
	scripts/venv.sh test,bench
	.venv/bin/python bench/matching.py --n 100000 --scenario base --seed 1 --json
