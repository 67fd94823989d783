package dev.streamchat.ai.rag;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import dev.streamchat.ai.error.ApiException;
import dev.streamchat.ai.error.ErrorCode;
import reactor.core.publisher.Mono;

/**
 * The document endpoints of CONTRACT.md section 1. An upload is answered {@code 202} as soon as the file is read and
 * recorded; indexing continues in the background and moves the status from {@code indexing} to {@code ready} or
 * {@code failed}. Users see their own documents and the shared library; shared documents are read-only.
 */
@RestController
@RequestMapping(path = "/api/v1/documents", produces = MediaType.APPLICATION_JSON_VALUE)
class DocumentController {

    private static final Logger log = LoggerFactory.getLogger(DocumentController.class);
    /** Longest file name kept (the rest is cut); names are shown, never used as paths. */
    static final int MAX_FILE_NAME = 255;

    private final DocumentRepository documents;
    private final ChunkRepository chunks;
    private final DocumentIndexer indexer;
    private final RagProperties props;
    private final IndexingProperties limits;

    DocumentController(DocumentRepository documents, ChunkRepository chunks, DocumentIndexer indexer,
            RagProperties props, IndexingProperties limits) {
        this.documents = documents;
        this.chunks = chunks;
        this.indexer = indexer;
        this.props = props;
        this.limits = limits;
    }

    @PostMapping
    Mono<ResponseEntity<Map<String, String>>> upload(ServerWebExchange exchange) {
        return exchange.getMultipartData()
                .onErrorMap(DataBufferLimitException.class, e -> tooLarge())
                .flatMap(this::upload);
    }

    private Mono<ResponseEntity<Map<String, String>>> upload(MultiValueMap<String, Part> parts) {
        String userId = requireId(field(parts, "user_id"), "user_id");
        String className = field(parts, "class_name");
        if (className != null && !SearchScope.isValidClassName(className)) {
            throw badRequest("class_name must be at most " + SearchScope.MAX_CLASS_NAME
                    + " characters without control characters");
        }
        String docId = field(parts, "doc_id");
        if (docId != null) {
            requireId(docId, "doc_id");
        }
        if (!(parts.getFirst("file") instanceof FilePart file)) {
            throw badRequest("a multipart/form-data part 'file' is required");
        }
        String fileName = safeFileName(file.filename());
        DocumentFormat format = DocumentFormat.fromFileName(fileName);
        if (format == null) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "only .txt, .md and .pdf files are accepted");
        }
        long max = props.uploadMaxSize().toBytes();
        return DataBufferUtils.join(file.content(), (int) Math.min(Integer.MAX_VALUE - 8, max))
                .onErrorMap(DataBufferLimitException.class, e -> tooLarge())
                .map(DocumentController::bytes)
                .defaultIfEmpty(new byte[0])
                .flatMap(content -> accept(userId, className, docId, fileName, format, content));
    }

    private Mono<ResponseEntity<Map<String, String>>> accept(String userId, String className, String requestedId,
            String fileName, DocumentFormat format, byte[] content) {
        if (content.length == 0) {
            return Mono.error(badRequest("the file is empty"));
        }
        if (format == DocumentFormat.PDF ? !TextExtractor.looksLikePdf(content) : TextExtractor.looksBinary(content)) {
            return Mono.error(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "the file's content does not match its ." + format.name().toLowerCase(java.util.Locale.ROOT) + " extension"));
        }
        if (!indexer.hasRoom()) {
            return Mono.error(new ApiException(ErrorCode.UNAVAILABLE,
                    "the service is busy indexing other documents; try again in a minute"));
        }
        String docId = requestedId != null ? requestedId : UUID.randomUUID().toString();
        Mono<StoredDocument> existing = requestedId == null ? Mono.empty() : documents.findById(requestedId);
        return existing
                .flatMap(previous -> previous.shared() || !userId.equals(previous.userId())
                        ? Mono.<Instant>error(new DocumentForbiddenException("this doc_id belongs to another document"))
                        : Mono.just(previous.createdAt()))
                // Replacing one of the user's documents keeps the count; a new one must fit under the limit.
                .switchIfEmpty(Mono.defer(() -> withinLimit(userId).thenReturn(Instant.now())))
                .flatMap(createdAt -> {
                    StoredDocument document = new StoredDocument(docId, userId, className, false, baseName(fileName),
                            fileName, StoredDocument.INDEXING, 0, null, indexer.contentHash(content),
                            UUID.randomUUID().toString(), createdAt, Instant.now());
                    return documents.save(document).doOnSuccess(saved -> startIndexing(document, format, content));
                })
                .thenReturn(ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("docId", docId)));
    }

    /** Errors with 409 {@code document_limit} when {@code userId} already stores the most documents allowed. */
    private Mono<Void> withinLimit(String userId) {
        return documents.countOwnedBy(userId).flatMap(count -> count >= limits.maxPerUser()
                ? Mono.error(new ApiException(ErrorCode.DOCUMENT_LIMIT, "you already store " + limits.maxPerUser()
                        + " documents, the most allowed; delete one before uploading another"))
                : Mono.empty());
    }

    /** The edge where a background indexing run is subscribed; it records its own failure. */
    private void startIndexing(StoredDocument document, DocumentFormat format, byte[] content) {
        indexer.index(document, format, content).subscribe(
                stored -> log.debug("docId={} status={}", stored.docId(), stored.status()),
                error -> log.error("indexing run ended abnormally docId={}", document.docId(), error));
    }

    @GetMapping
    Mono<List<DocumentView>> list(@RequestParam(name = "user_id", required = false) String userId) {
        return documents.findVisibleTo(requireId(userId, "user_id")).map(DocumentView::of).collectList();
    }

    @GetMapping("/{docId}")
    Mono<DocumentView> get(@PathVariable String docId, @RequestParam(name = "user_id", required = false) String userId) {
        String user = requireId(userId, "user_id");
        return visible(docId, user).map(DocumentView::of);
    }

    @DeleteMapping("/{docId}")
    Mono<ResponseEntity<Void>> delete(@PathVariable String docId,
            @RequestParam(name = "user_id", required = false) String userId) {
        String user = requireId(userId, "user_id");
        return visible(docId, user)
                .flatMap(document -> document.shared()
                        ? Mono.error(new DocumentForbiddenException("shared library documents cannot be deleted"))
                        : documents.delete(docId).then(chunks.deleteByDocId(docId)))
                .thenReturn(ResponseEntity.noContent().build());
    }

    /** The document when {@code userId} may read it; 404 otherwise, whether it is absent or another user's. */
    private Mono<StoredDocument> visible(String docId, String userId) {
        return documents.findById(docId)
                .filter(document -> document.visibleTo(userId))
                .switchIfEmpty(Mono.error(() -> new ApiException(ErrorCode.NOT_FOUND, "no such document")));
    }

    private static String field(MultiValueMap<String, Part> parts, String name) {
        Part part = parts.getFirst(name);
        if (part instanceof FormFieldPart field) {
            String value = field.value().strip();
            return value.isEmpty() ? null : value;
        }
        return null;
    }

    private static String requireId(String value, String name) {
        if (value == null || value.isBlank()) {
            throw badRequest(name + " is required");
        }
        if (!SearchScope.isValidId(value)) {
            throw badRequest(name + " must match " + SearchScope.ID_RULE);
        }
        return value;
    }

    private static byte[] bytes(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /**
     * The name to keep for an upload: its last path segment (a client may send {@code ../../x.txt} or
     * {@code C:\\x.txt}), without control characters, at most {@link #MAX_FILE_NAME} characters (keeping the
     * extension). Null when nothing is left.
     */
    static String safeFileName(String raw) {
        if (raw == null) {
            return null;
        }
        String name = raw.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        StringBuilder clean = new StringBuilder(Math.min(name.length(), MAX_FILE_NAME));
        name.codePoints().filter(c -> !Character.isISOControl(c) && Character.getType(c) != Character.FORMAT)
                .forEach(clean::appendCodePoint);
        name = clean.toString().strip();
        if (name.length() > MAX_FILE_NAME) {
            int dot = name.lastIndexOf('.');
            String extension = dot > 0 && name.length() - dot <= 10 ? name.substring(dot) : "";
            name = name.substring(0, MAX_FILE_NAME - extension.length()) + extension;
        }
        return name.isEmpty() ? null : name;
    }

    private static String baseName(String fileName) {
        String name = fileName.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private ApiException tooLarge() {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
                "the file is larger than " + props.uploadMaxSize().toBytes() + " bytes");
    }

    private static ApiException badRequest(String detail) {
        return new ApiException(ErrorCode.BAD_REQUEST, detail);
    }
}
