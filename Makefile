# Build, install and package inpaint with the GNU conventions Debian's tools expect (issue 14):
#   make                                   the release binary, its man pages and shell completions
#   make install PREFIX=~/.local           (PREFIX defaults to /usr/local; DESTDIR stages the tree)
#   make uninstall                         removes what install put there (same PREFIX and DESTDIR)
#   make check                             the README's test command
#   make deb                               a Debian package of the installed tree (dpkg-deb)
# Everything make writes goes under .build/: the static binary's build in .build/static, the man-page
# plugin's in .build/man (never in .build itself, so that make and the README's swift commands do not
# undo each other's builds), the results in .build/make (OUT).

SWIFT ?= swift
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
INSTALL ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 755 -s
INSTALL_DATA ?= $(INSTALL) -m 644

# The one source of the version is Sources/inpaint/Version.swift.
VERSION := $(shell sed -n 's/^let inpaintVersion = "\(.*\)"$$/\1/p' Sources/inpaint/Version.swift)
OUT ?= .build/make
# The binary to install: the one `make` builds, or one built elsewhere (the tests install the binary
# `swift test` built, so that no second Swift build runs while theirs holds .build).
BIN ?= $(OUT)/inpaint
# --static-swift-stdlib: the installed binary and the package must run without the Swift toolchain
# (Foundation's networking then links the system libcurl, whence libcurl4-openssl-dev to build).
SWIFT_BUILD_FLAGS ?= -c release --static-swift-stdlib
STATIC_BUILD ?= .build/static
MAN_BUILD ?= .build/man

SOURCES := Package.swift $(shell find Sources -type f)
ASSETS := assets/model.safetensors assets/classifier.safetensors \
	assets/fashion-model.safetensors assets/fashion-classifier.safetensors \
	assets/mnist-sample-images-idx3-ubyte.gz assets/mnist-sample-labels-idx1-ubyte.gz $(wildcard assets/*.md)
REVISION_HEADER := .build/inpaint-revision.h
MANUAL = $(MAN_BUILD)/plugins/GenerateManual/outputs/inpaint
# The man pages carry the last commit's date, so that the same commit makes the same pages.
MAN_DATE := $(shell git log -1 --format=%cs 2>/dev/null | grep . || date -u +%F)
COMPLETIONS := $(OUT)/completions/inpaint.bash $(OUT)/completions/_inpaint $(OUT)/completions/inpaint.fish

.PHONY: all man completions install install-bin install-data install-man install-completions uninstall check deb FORCE

all: $(BIN) man completions

# The git revision for `inpaint --version` (Sources/CBuildInfo): rewritten only when it changes, and then
# build_info.c is touched so that SwiftPM recompiles that one file.
$(REVISION_HEADER): FORCE
	@mkdir -p $(@D)
	@rev=$$(git rev-parse --short=12 HEAD 2>/dev/null); \
	if [ -n "$$rev" ] && ! git diff --quiet HEAD -- 2>/dev/null; then rev="$$rev-dirty"; fi; \
	printf '#define INPAINT_REVISION "%s"\n' "$$rev" > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; touch Sources/CBuildInfo/build_info.c; fi

# Each Swift build in a scratch path of its own: SwiftPM (6.x) reuses a folder's last build plan when only
# the flags differ, so after the man-page plugin's plain build in the same folder the binary stayed
# dynamic, and in .build a later `swift test -Xswiftc -enable-testing` found its modules "not compiled for
# testing". Forcing a new plan instead recompiled everything on every make.
$(OUT)/inpaint: $(SOURCES) $(REVISION_HEADER)
	$(SWIFT) build --scratch-path $(STATIC_BUILD) $(SWIFT_BUILD_FLAGS) --product inpaint
	@mkdir -p $(@D)
	cp $(STATIC_BUILD)/release/inpaint $@

# swift-argument-parser's generate-manual plugin: one page per command, from the same help text as --help.
man: $(OUT)/man/inpaint.1
$(OUT)/man/inpaint.1: $(OUT)/inpaint
	rm -rf $(MANUAL)
	$(SWIFT) package --scratch-path $(MAN_BUILD) plugin generate-manual --multi-page --date $(MAN_DATE)
	rm -rf $(@D) && mkdir -p $(@D)
	cp $(MANUAL)/*.1 $(@D)/

completions: $(COMPLETIONS)
$(OUT)/completions/inpaint.bash: $(BIN)
	@mkdir -p $(@D)
	$(BIN) --generate-completion-script bash > $@
$(OUT)/completions/_inpaint: $(BIN)
	@mkdir -p $(@D)
	$(BIN) --generate-completion-script zsh > $@
$(OUT)/completions/inpaint.fish: $(BIN)
	@mkdir -p $(@D)
	$(BIN) --generate-completion-script fish > $@

install: install-bin install-data install-man install-completions

install-bin: $(BIN)
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL_PROGRAM) $(BIN) $(DESTDIR)$(BINDIR)/inpaint

# The bundled models and classifiers (MNIST and Fashion-MNIST) and sample digits with their cards
# (assets/*.md, which hold the licences).
install-data:
	$(INSTALL) -d $(DESTDIR)$(DATADIR)/inpaint
	$(INSTALL_DATA) $(ASSETS) $(DESTDIR)$(DATADIR)/inpaint/

install-man: $(OUT)/man/inpaint.1
	$(INSTALL) -d $(DESTDIR)$(MANDIR)/man1
	$(INSTALL_DATA) $(OUT)/man/*.1 $(DESTDIR)$(MANDIR)/man1/

install-completions: $(COMPLETIONS)
	$(INSTALL) -d $(DESTDIR)$(DATADIR)/bash-completion/completions $(DESTDIR)$(DATADIR)/zsh/site-functions \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	$(INSTALL_DATA) $(OUT)/completions/inpaint.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/inpaint
	$(INSTALL_DATA) $(OUT)/completions/_inpaint $(DESTDIR)$(DATADIR)/zsh/site-functions/_inpaint
	$(INSTALL_DATA) $(OUT)/completions/inpaint.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/inpaint.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/inpaint
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/inpaint/,$(notdir $(ASSETS)))
	-rmdir $(DESTDIR)$(DATADIR)/inpaint
	rm -f $(DESTDIR)$(MANDIR)/man1/inpaint.1 $(DESTDIR)$(MANDIR)/man1/inpaint.*.1
	rm -f $(DESTDIR)$(DATADIR)/bash-completion/completions/inpaint $(DESTDIR)$(DATADIR)/zsh/site-functions/_inpaint \
		$(DESTDIR)$(DATADIR)/fish/vendor_completions.d/inpaint.fish

check:
	swift test -c release -Xswiftc -enable-testing --disable-swift-testing

# The runtime packages of the libraries the static binary links (readelf -d: NEEDED; dpkg -S: owner).
# libopenblas0 is the metapackage; Debian 12 ships the library in one of its variants.
DEB_DEPENDS := libc6, libgcc-s1, libstdc++6, libncursesw6, libtinfo6, \
	libopenblas0 | libopenblas0-pthread | libopenblas0-openmp | libopenblas0-serial, zlib1g, libcurl4
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB_ROOT := $(OUT)/deb
DEB := $(OUT)/inpaint_$(VERSION)_$(DEB_ARCH).deb
# Who the package names as its maintainer: Debian's DEBFULLNAME and DEBEMAIL when set (as dch uses them),
# else the git identity of whoever builds it; `make deb MAINTAINER='Name <mail>'` overrides both.
DEB_NAME := $(or $(DEBFULLNAME),$(shell git config user.name 2>/dev/null),inpaint developers)
DEB_MAIL := $(or $(DEBEMAIL),$(shell git config user.email 2>/dev/null),inpaint@invalid)
MAINTAINER ?= $(DEB_NAME) <$(DEB_MAIL)>

deb: all
	rm -rf $(DEB_ROOT)
	$(MAKE) install DESTDIR=$(abspath $(DEB_ROOT)) PREFIX=/usr
	mkdir -p $(DEB_ROOT)/DEBIAN
	printf '%s\n' 'Package: inpaint' 'Version: $(VERSION)' 'Architecture: $(DEB_ARCH)' \
		'Maintainer: $(MAINTAINER)' \
		"Installed-Size: $$(du -sk --exclude=DEBIAN $(DEB_ROOT) | cut -f1)" \
		'Depends: $(DEB_DEPENDS)' 'Section: science' 'Priority: optional' \
		'Description: context-encoder inpainting of handwritten digits, in the terminal' \
		' Trains a context encoder (Pathak et al. 2016, reduced to MNIST) and lets you cut holes' \
		' in digits with the mouse and watch the network fill them, over SSH too. Ships a trained' \
		' model and a classifier for MNIST and for Fashion-MNIST, and 1,000 sample digits.' > $(DEB_ROOT)/DEBIAN/control
	dpkg-deb --root-owner-group --build $(DEB_ROOT) $(DEB)
	@echo "wrote $(DEB)"
