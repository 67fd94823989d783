package dev.streamchat.gateway.document;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.codec.DecodingException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.publisher.Mono;

/**
 * {@code /api/v1/documents}: uploads (≤ {@code UPLOAD_MAX_BYTES}, .txt/.md/.pdf, {@code UPLOAD_RATE_PER_MIN} per
 * user) forwarded to the ai-service with the caller's user id, then watched until indexing ends; list, read and
 * delete forwarded likewise. The body is bounded while it is read, whatever {@code Content-Length} says: the
 * multipart reader's part count, in-memory and per-part disk limits ({@code spring.webflux.multipart.*}) and the
 * byte count of {@code RequestBodyLimit} all end the read with 413 {@code payload_too_large}.
 */
@RestController
@RequestMapping("/api/v1/documents")
class DocumentController {

    private static final Pattern DOC_ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    private static final Map<String, MediaType> TYPES = Map.of(
            "txt", MediaType.TEXT_PLAIN, "md", MediaType.valueOf("text/markdown"), "pdf", MediaType.APPLICATION_PDF);
    private static final long MULTIPART_OVERHEAD = 64 * 1024;

    private final AiDocumentsClient documents;
    private final DocumentReadyWatcher watcher;
    private final DocumentProperties properties;
    private final UploadRateLimiter rateLimiter;

    DocumentController(AiDocumentsClient documents, DocumentReadyWatcher watcher, DocumentProperties properties,
                       UploadRateLimiter rateLimiter) {
        this.rateLimiter = rateLimiter;
        this.documents = documents;
        this.watcher = watcher;
        this.properties = properties;
    }

    @PostMapping
    Mono<ResponseEntity<Map<String, Object>>> upload(ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        long max = properties.uploadMaxBytes().toBytes();
        long declared = exchange.getRequest().getHeaders().getContentLength();
        if (declared > max + MULTIPART_OVERHEAD) {
            return Mono.error(tooLarge());
        }
        MediaType contentType = exchange.getRequest().getHeaders().getContentType();
        if (contentType == null || !MediaType.MULTIPART_FORM_DATA.isCompatibleWith(contentType)
                || contentType.getParameter("boundary") == null) {
            return Mono.error(new ApiException(ErrorCode.BAD_REQUEST, "Send the file as multipart/form-data field 'file'."));
        }
        return rateLimiter.acquire(user.userId()).then(exchange.getMultipartData()
                .onErrorMap(error -> !(error instanceof ApiException), this::unreadable))
                .flatMap(parts -> {
            Part part = parts.getFirst("file");
            if (!(part instanceof FilePart file)) {
                return Mono.error(new ApiException(ErrorCode.BAD_REQUEST, "The multipart field 'file' is missing."));
            }
            String classId = null;
            Part classPart = parts.getFirst("classId");
            if (classPart instanceof FormFieldPart field && !field.value().isBlank()) {
                classId = field.value();
                if (classId.length() > 200) {
                    return Mono.error(new ApiException(ErrorCode.BAD_REQUEST, "'classId' is too long."));
                }
            }
            String filename = file.filename();
            String extension = extension(filename);
            MediaType type = TYPES.get(extension);
            if (type == null) {
                return Mono.error(new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "Only .txt, .md and .pdf files are accepted."));
            }
            String finalClassId = classId;
            return DataBufferUtils.join(file.content(), (int) Math.min(Integer.MAX_VALUE, max))
                    .onErrorMap(DataBufferLimitException.class, e -> tooLarge())
                    .map(buffer -> {
                        byte[] bytes = new byte[buffer.readableByteCount()];
                        buffer.read(bytes);
                        DataBufferUtils.release(buffer);
                        return bytes;
                    })
                    .defaultIfEmpty(new byte[0])
                    .flatMap(bytes -> documents.upload(user.userId(), finalClassId, filename, bytes, type))
                    .map(docId -> {
                        watcher.watch(user.userId(), docId);
                        return ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.<String, Object>of("docId", docId));
                    });
                });
    }

    @GetMapping
    Mono<List<Object>> list(ServerWebExchange exchange) {
        return documents.list(user(exchange).userId());
    }

    @GetMapping("/{docId}")
    Mono<Map<String, Object>> get(@PathVariable String docId, ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        checkId(docId);
        return documents.get(user.userId(), docId).switchIfEmpty(Mono.error(notFound()));
    }

    @DeleteMapping("/{docId}")
    Mono<ResponseEntity<Void>> delete(@PathVariable String docId, ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        checkId(docId);
        return documents.delete(user.userId(), docId)
                .flatMap(deleted -> deleted ? Mono.just(ResponseEntity.noContent().<Void>build()) : Mono.error(notFound()));
    }

    /** A multipart body the reader gave up on: over a limit (413), else malformed (400). */
    private ApiException unreadable(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataBufferLimitException
                    || cause instanceof DecodingException && cause.getMessage() != null
                    && cause.getMessage().startsWith("Too many parts")) {
                return tooLarge();
            }
        }
        return new ApiException(ErrorCode.BAD_REQUEST, "The multipart body could not be read.");
    }

    private static String extension(String filename) {
        int dot = filename == null ? -1 : filename.lastIndexOf('.');
        return dot < 0 ? "" : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static void checkId(String docId) {
        if (!DOC_ID.matcher(docId).matches()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "'docId' is not a valid id.");
        }
    }

    private static ApiException notFound() {
        return new ApiException(ErrorCode.NOT_FOUND, "No such document.");
    }

    private ApiException tooLarge() {
        return new ApiException(ErrorCode.PAYLOAD_TOO_LARGE,
                "Files may be at most " + properties.uploadMaxBytes().toMegabytes() + " MB.");
    }

    static AuthenticatedUser user(ServerWebExchange exchange) {
        AuthenticatedUser user = exchange.getAttribute(AuthenticatedUser.EXCHANGE_ATTRIBUTE);
        if (user == null) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Sign in first.");
        }
        return user;
    }
}
