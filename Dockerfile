# Kitshelf: one static binary in a minimal image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# No cgo: the embedded SQLite is WebAssembly, so the binary is fully static.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/kitshelf ./cmd/kitshelf

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/kitshelf /kitshelf
# With no DATABASE_URL the embedded SQLite file lives here; mount a volume to keep it.
WORKDIR /data
USER nonroot
EXPOSE 8080
ENV KITSHELF_ADDR=:8080
HEALTHCHECK --interval=10s --timeout=5s --retries=3 CMD ["/kitshelf", "healthcheck"]
ENTRYPOINT ["/kitshelf"]
CMD ["serve"]
