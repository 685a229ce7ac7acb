# newsgraph — a thin Makefile over CMake.  See README.md.
#   make deps    install the Debian packages (apt-get; quiet when present)
#   make         build build/newsgraph
#   make test    build and run every test (unit, golden, pathological, seeds)
#   make asan    the same suite under AddressSanitizer + UBSan (build-asan/)
#   make fuzz    build the libFuzzer targets with clang and run each briefly
#   make bench   speed benchmarks (printed, never asserted); SCALE=N adds the
#                knowledge-base scale benchmark at N articles (make bench-scale: 100,000)
#   make demo    build, then analyze examples/ and print what was found
#   make install put newsgraph on the PATH (PREFIX, default /usr/local)

PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 20
BUILD_TYPE ?= RelWithDebInfo

DEB_PACKAGES = build-essential cmake pkg-config clang libclang-rt-14-dev python3 \
  libexttextcat-dev libmodest-dev libjansson-dev libutf8proc-dev zlib1g-dev \
  libcmocka-dev libsqlite3-dev libstemmer-dev libisal-dev iso-codes unicode-cldr-core \
  libpq-dev postgresql libmicrohttpd-dev chromium nodejs

.PHONY: all build deps test asan fuzz bench bench-scale demo install clean models

all: build

build/Makefile: CMakeLists.txt
	cmake -S . -B build -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: build/Makefile
	cmake --build build -j $(JOBS)

# npm comes with NodeSource's nodejs; Debian's nodejs wants its own npm package
# (installing that one beside NodeSource's would conflict, so only when missing)
deps:
	@bash tools/install-deps.sh $(DEB_PACKAGES)
	@command -v npm >/dev/null 2>&1 || bash tools/install-deps.sh npm

test: build
	cd build && ctest --output-on-failure -j $(JOBS)

build-asan/Makefile: CMakeLists.txt
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DNG_SANITIZE=ON >/dev/null

asan: build-asan/Makefile
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

build-fuzz/Makefile: CMakeLists.txt
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DNG_FUZZ=ON -DNG_SANITIZE=ON >/dev/null

fuzz: build-fuzz/Makefile
	cmake --build build-fuzz -j $(JOBS)
	bash fuzz/run.sh build-fuzz/fuzz $(FUZZ_SECONDS)

bench: build
	bash bench/run.sh build/newsgraph
	@if [ -n "$(SCALE)" ]; then bash bench/scale.sh build/newsgraph $(SCALE); fi

# the knowledge base and serve at 100,000 articles (docs/kb.md "Scale"; long)
bench-scale: build
	bash bench/scale.sh build/newsgraph $(or $(SCALE),100000)

demo: build
	bash tools/demo.sh build/newsgraph

install: build
	install -D -m 0755 build/newsgraph $(DESTDIR)$(PREFIX)/bin/newsgraph
	install -d $(DESTDIR)$(PREFIX)/share/newsgraph/models
	install -m 0644 models/*.bin $(DESTDIR)$(PREFIX)/share/newsgraph/models/

# make models: rebuild models/ner-*.bin from $(DATA) (deterministic: fixed
# seeds; docs/models.md records the scores).  NER_OPTS tunes both.  The
# gazetteer (build/gazetteer.tsv) is made from Debian's iso-codes,
# unicode-cldr-core and tzdata and the lists under lang/ by
# tools/gazetteer.py, and compiled into each model.
DATA ?= ../shared/data
NER_TRAIN ?= build/ng-train-ner
NER_GAZ ?= build/gazetteer.tsv
NER_OPTS ?= --bits 18 --epochs 20 --patience 3 --seed 20240601 --families 7ff --gazetteer $(NER_GAZ)
NER_TEXT_EN = --text conll:$(DATA)/ner/en/conll2003-train.txt \
  --text conllu:$(DATA)/ud/UD_English-EWT/en_ewt-ud-train.conllu \
  --text conllu:$(DATA)/ud/UD_English-GUM/en_gum-ccby-ud-train.conllu \
  --text txt:$(DATA)/quotes/polnear-dev/text --text txt:$(DATA)/stories/ecbplus-dev/text
NER_TEXT_FR = --text hipe:$(DATA)/ner/fr/newseye-fr/newseye-fr-dev.tsv --text bio:$(DATA)/ner/fr/europeana-fr.bio \
  --text conllu:$(DATA)/ud/UD_French-Sequoia --text conllu:$(DATA)/ud/UD_French-GSD \
  --text conllu:$(DATA)/ud/UD_French-PUD --text conllu:$(DATA)/ud/UD_French-FQB \
  --text conll:$(DATA)/ner/en/conll2003-train.txt

# The part-of-speech taggers (models/pos-*.bin, docs/models.md) learn on
# the tokens of src/segment.c: a change there is a reason to rebuild them.
POS_TRAIN ?= build/ng-train-pos
POS_OPTS ?= --bits 17 --epochs 25 --patience 3 --seed 20240601 --families 1f
UD = $(DATA)/ud

models: build
	python3 tools/gazetteer.py --lang-dir lang --out $(NER_GAZ)
	$(NER_TRAIN) --lang en $(NER_OPTS) --train conll:$(DATA)/ner/en/conll2003-train.txt \
	  --dev conll:$(DATA)/ner/en/conll2003-dev.txt $(NER_TEXT_EN) --out models/ner-en.bin
	$(NER_TRAIN) --lang fr $(NER_OPTS) --retokenize --train hipe:$(DATA)/ner/fr/newseye-fr/newseye-fr-dev.tsv \
	  --train bio:$(DATA)/ner/fr/europeana-fr.bio --train conll:$(DATA)/ner/en/conll2003-train.txt \
	  --dev hipe:$(DATA)/ner/fr/newseye-fr/newseye-fr-dev2.tsv $(NER_TEXT_FR) --out models/ner-fr.bin
	$(POS_TRAIN) --lang en $(POS_OPTS) --train $(UD)/UD_English-EWT/en_ewt-ud-train.conllu \
	  --train $(UD)/UD_English-GUM/en_gum-ccby-ud-train.conllu --train $(UD)/UD_English-PUD/en_pud-ud-test.conllu \
	  --dev $(UD)/UD_English-EWT/en_ewt-ud-dev.conllu --out models/pos-en.bin
	$(POS_TRAIN) --lang fr $(POS_OPTS) --train $(UD)/UD_French-Sequoia/fr_sequoia-ud-train.conllu \
	  --train $(UD)/UD_French-GSD/fr_gsd-ud-dev.conllu --train $(UD)/UD_French-GSD/fr_gsd-ud-test.conllu \
	  --train $(UD)/UD_French-PUD/fr_pud-ud-test.conllu --train $(UD)/UD_French-FQB/fr_fqb-ud-test.conllu \
	  --dev $(UD)/UD_French-Sequoia/fr_sequoia-ud-dev.conllu --out models/pos-fr.bin

clean:
	rm -rf build build-asan build-fuzz
