PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The shared offline tools (tfcheck, the container base image) live next to the repository.
SHARED ?= ../shared
TFCHECK := $(SHARED)/tfcheck
TERRAFORM ?= $(shell command -v terraform)
INFRA_VENV := .venv-infra
CHECKOV_VENV := .venv-checkov
JOB_IMAGE ?= localhost/lookervault-job:test

.PHONY: setup test coverage lint typecheck pytest demo bench function-bundle lock stand-in-check clean \
	infra-check image image-test test-image

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

# Tests in parallel, one worker per core (pytest-xdist): most of them wait on child processes
# and local servers. `make test WORKERS=0` runs them in this process, one after another.
WORKERS ?= auto
pytest: setup
	$(BIN)/pytest -n $(WORKERS)

test: lint typecheck pytest

# Total coverage, child processes included: a report, not a gate. Tracing makes the suite 1.6
# to 1.9 times slower (Python 3.11 has no cheap tracer), which would take CI past its 15
# minutes: `make test` runs without it.
coverage: setup
	$(BIN)/pytest -n $(WORKERS) --cov --cov-report=term

demo: setup
	$(BIN)/lookervault demo

bench: setup
	$(BIN)/python bench/snapshot_bench.py --size-mb 200 1024 --runs 5 --compression

stand-in-check: setup
	$(BIN)/python -m tests.support.standin_check --max-examples 25

# The function bundle needs no virtualenv: it copies the handler, the package and its lock.
function-bundle:
	$(PYTHON) functions/build_bundle.py function-bundle

# The hashed locks the job image and the function bundle install (locks/lock.py; needs PyPI).
# Run it after changing dependencies in pyproject.toml; `make test` fails until you do.
lock: setup
	$(BIN)/python -m locks.lock

# --- infra/ and cloudbuild.yaml, offline: terraform through a stub provider, checkov -----------

$(INFRA_VENV)/.installed:
	test -d $(INFRA_VENV) || $(PYTHON) -m venv $(INFRA_VENV)
	$(INFRA_VENV)/bin/pip install --quiet 'python-hcl2>=8,<9' 'pyyaml>=6,<7' 'tf==1.2.0' 'msgpack>=1,<2'
	touch $@

# checkov pins its own HCL parser: a venv of its own.
$(CHECKOV_VENV)/.installed:
	test -d $(CHECKOV_VENV) || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet 'checkov>=3.2,<4'
	touch $@

infra-check: setup $(INFRA_VENV)/.installed $(CHECKOV_VENV)/.installed
	@test -n "$(TERRAFORM)" || { echo "terraform not found: install Terraform >= 1.9 (CI machines have /usr/local/bin/terraform) or pass TERRAFORM=..." >&2; exit 1; }
	@test -d "$(TFCHECK)" || { echo "$(TFCHECK) not found: the shared tools must sit next to the repository, or pass SHARED=..." >&2; exit 1; }
	$(TERRAFORM) fmt -check -recursive -diff infra/
	$(INFRA_VENV)/bin/python $(TFCHECK)/tfschema_check.py infra/
	$(INFRA_VENV)/bin/python $(TFCHECK)/tfstub.py validate infra/
	$(INFRA_VENV)/bin/python $(TFCHECK)/tfstub.py test infra/
	$(CHECKOV_VENV)/bin/checkov -d infra --framework terraform --skip-download --compact --quiet
	$(INFRA_VENV)/bin/python $(TFCHECK)/cloudbuild_check.py cloudbuild.yaml
	TFCHECK=$(abspath $(TFCHECK)) INFRA_PYTHON=$(abspath $(INFRA_VENV))/bin/python TERRAFORM=$(TERRAFORM) \
		$(BIN)/pytest -m infra tests/deploy

# --- the job image, built and run with podman (../shared/container/README.md) ------------------

image image-test test-image: export CONTAINERS_CONF = $(abspath $(SHARED))/container/containers.conf

# With the layer cache: an unchanged commit reuses every layer, a changed one rebuilds from the
# first changed input. Buildah leaves a `RUN --mount=...,from=builder` out of its cache key, so
# job/Dockerfile keys each install by a COPY --from instead (the comment there says how).
image:
	@command -v podman >/dev/null || { echo "podman not found: apt-get install -y podman runc debootstrap" >&2; exit 1; }
	base=$$($(SHARED)/container/base-image.sh) && \
	podman build --network host -v /etc/ssl/certs:/etc/ssl/certs:ro --pull=never \
		--build-arg PYTHON_IMAGE="$$base" -f job/Dockerfile -t $(JOB_IMAGE) .

test-image: image image-test

# The image tests alone, against the image `make image` built ($(JOB_IMAGE)).
image-test: setup
	LOOKERVAULT_JOB_IMAGE=$(JOB_IMAGE) $(BIN)/pytest -m image tests/deploy

clean:
	rm -rf $(VENV) $(INFRA_VENV) $(CHECKOV_VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache \
		.coverage .coverage.*
