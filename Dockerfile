# The meshlint image. GoReleaser builds it (.goreleaser.yaml, dockers_v2)
# from the binaries it has just built: the build context holds
# linux/amd64/meshlint and linux/arm64/meshlint, which TARGETPLATFORM picks.
#
#   docker run --rm -v "$PWD:/work" ghcr.io/meshlint/meshlint:latest
#
# lints the mounted directory. The bases are pinned by digest (the tag says
# what it is, the digest which build); the Go binary is static, so distroless
# static, with CA certificates and a non-root user but no shell or package
# manager, is all it needs.

# For CI systems that run their job scripts inside the image (GitLab CI,
# ci/gitlab/meshlint.yml): the same, plus busybox's shell at /busybox/sh.
FROM gcr.io/distroless/static-debian12:debug-nonroot@sha256:d5563cc7f2f44313f332e91138cc8c6a158899afeeeab2fce3b0f9ccdb3cf9ee AS debug
ARG TARGETPLATFORM
COPY --chmod=0755 $TARGETPLATFORM/meshlint /usr/local/bin/meshlint
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/meshlint"]
CMD ["."]

# The default target (last): no shell at all.
FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639 AS default
ARG TARGETPLATFORM
COPY --chmod=0755 $TARGETPLATFORM/meshlint /usr/local/bin/meshlint
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/meshlint"]
CMD ["."]
