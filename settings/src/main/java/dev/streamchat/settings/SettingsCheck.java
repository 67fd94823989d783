package dev.streamchat.settings;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

import com.mongodb.ConnectionString;

/**
 * Checks every setting before any bean is built, so a bad one is reported as one line naming the variable
 * ({@code SOCKET_PORT (gateway.socket.port) must be less than or equal to 65535, not '70000'}) instead of a stack
 * trace from deep inside the start. It binds each {@code @ConfigurationProperties} record of the application's
 * packages exactly as Spring will, runs its bean-validation constraints, refuses negative durations and sizes and
 * non-HTTP URLs, and checks the Spring settings the records do not hold (ports, Redis and MongoDB URLs, the shutdown
 * phase). Values of secrets and URLs (which may carry credentials) are never echoed.
 */
public final class SettingsCheck {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)");
    private static final Pattern SENSITIVE = Pattern.compile("(?i).*(secret|key|password|uri|url)$");

    private SettingsCheck() {
    }

    /** The first bad setting in {@code environment}, described in one line; empty when all are usable. */
    public static Optional<String> problem(ConfigurableEnvironment environment, String basePackage) {
        Binder binder = Binder.get(environment);
        Optional<String> spring = springSettings(environment, binder);
        if (spring.isPresent()) {
            return spring;
        }
        ValidatorFactory factory = Validation.buildDefaultValidatorFactory();
        try {
            Validator validator = factory.getValidator();
            for (Class<?> type : propertiesTypes(basePackage)) {
                ConfigurationProperties annotation = AnnotationUtils.findAnnotation(type, ConfigurationProperties.class);
                String prefix = annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
                Optional<String> problem = check(environment, binder, validator, prefix, type);
                if (problem.isPresent()) {
                    return problem;
                }
            }
            return Optional.empty();
        } finally {
            factory.close();
        }
    }

    private static Optional<String> check(ConfigurableEnvironment environment, Binder binder, Validator validator,
                                          String prefix, Class<?> type) {
        Object bound;
        try {
            bound = binder.bindOrCreate(prefix, Bindable.of(type));
        } catch (BindException e) {
            return Optional.of(describe(environment, e));
        } catch (RuntimeException e) {
            return Optional.of(label(environment, prefix) + " cannot be read: " + rootMessage(e));
        }
        List<ConstraintViolation<Object>> violations = new ArrayList<>(validator.validate(bound));
        if (!violations.isEmpty()) {
            violations.sort(Comparator.comparing(v -> v.getPropertyPath().toString()));
            ConstraintViolation<Object> first = violations.get(0);
            String property = prefix + "." + kebab(first.getPropertyPath().toString());
            Object invalid = first.getInvalidValue();
            String setTo = environment.getProperty(property);
            return Optional.of(label(environment, property) + " " + first.getMessage() // a duration as set (900ms), not PT0.9S
                    + shown(property, invalid instanceof Duration && setTo != null ? setTo : invalid));
        }
        for (var component : type.getRecordComponents() == null ? new java.lang.reflect.RecordComponent[0]
                : type.getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(bound);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            String property = prefix + "." + kebab(component.getName());
            Optional<String> problem = valueProblem(value);
            if (problem.isPresent()) {
                return Optional.of(label(environment, property) + " " + problem.get() + shown(property, value));
            }
        }
        return Optional.empty();
    }

    /** What no record here may hold, whatever its annotations say. */
    private static Optional<String> valueProblem(Object value) {
        if (value instanceof Duration duration && duration.isNegative()) {
            return Optional.of("must not be negative");
        }
        if (value instanceof DataSize size && size.isNegative()) {
            return Optional.of("must not be negative");
        }
        if (value instanceof URI uri && !httpUrl(uri)) {
            return Optional.of("must be an http:// or https:// URL with a host");
        }
        return Optional.empty();
    }

    private static Optional<String> springSettings(ConfigurableEnvironment environment, Binder binder) {
        for (String port : List.of("server.port", "management.server.port")) {
            try {
                // management.server.port = -1 switches the management server off.
                int lowest = port.startsWith("management") ? -1 : 0;
                BindResult<Integer> value = binder.bind(port, Integer.class);
                if (value.isBound() && (value.get() < lowest || value.get() > 65535)) {
                    return Optional.of(label(environment, port) + " must be a port between 0 and 65535, not '" + value.get() + "'");
                }
            } catch (BindException e) {
                return Optional.of(describe(environment, e));
            }
        }
        try {
            BindResult<Duration> phase = binder.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class);
            if (phase.isBound() && phase.get().isNegative()) {
                return Optional.of(label(environment, "spring.lifecycle.timeout-per-shutdown-phase") + " must not be negative"
                        + shown("spring.lifecycle.timeout-per-shutdown-phase", phase.get()));
            }
        } catch (BindException e) {
            return Optional.of(describe(environment, e));
        }
        String redis = environment.getProperty("spring.data.redis.url");
        if (redis != null && !redis.isBlank()) {
            URI uri = parse(redis);
            if (uri == null || !Set.of("redis", "rediss").contains(String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT))
                    || uri.getHost() == null) {
                return Optional.of(label(environment, "spring.data.redis.url")
                        + " must be a redis:// or rediss:// URL with a host (value not shown)");
            }
        }
        String mongo = environment.getProperty("spring.mongodb.uri");
        if (mongo != null && !mongo.isBlank()) {
            try {
                new ConnectionString(mongo);
            } catch (RuntimeException e) {
                return Optional.of(label(environment, "spring.mongodb.uri")
                        + " must be a mongodb:// or mongodb+srv:// connection string (value not shown)");
            }
        }
        return Optional.empty();
    }

    private static String describe(ConfigurableEnvironment environment, BindException e) {
        String property = e.getName().toString();
        // The source holds the raw text ("${SOCKET_PORT:8081}"): show what it resolved to.
        Object value = e.getProperty() == null ? null : environment.resolvePlaceholders(String.valueOf(e.getProperty().getValue()));
        return label(environment, property) + " must be " + expected(e.getTarget().getType()) + shown(property, value);
    }

    /** What a value of {@code type} looks like, for the operator. */
    private static String expected(ResolvableType type) {
        Class<?> raw = type.resolve(Object.class);
        if (raw == Duration.class) {
            return "a duration such as 500ms, 10s or 5m";
        }
        if (raw == DataSize.class) {
            return "a size such as 16384, 64KB or 10MB";
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return "true or false";
        }
        if (raw == int.class || raw == Integer.class || raw == long.class || raw == Long.class) {
            return "a whole number";
        }
        if (raw == double.class || raw == Double.class) {
            return "a number";
        }
        if (raw == URI.class) {
            return "a URL";
        }
        if (raw.isEnum()) {
            return "one of " + Arrays.stream(raw.getEnumConstants()).map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", "));
        }
        return "a valid " + ClassUtils.getShortName(raw);
    }

    /** {@code SOCKET_PORT (gateway.socket.port)}: the variable the operator sets, and the property it feeds. */
    static String label(ConfigurableEnvironment environment, String property) {
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof OriginTrackedMapPropertySource) {
                Object raw = source.getProperty(property);
                if (raw != null) {
                    Matcher matcher = PLACEHOLDER.matcher(String.valueOf(raw));
                    if (matcher.find()) {
                        return matcher.group(1) + " (" + property + ")";
                    }
                }
            }
        }
        return property;
    }

    private static String shown(String property, Object value) {
        if (value == null || SENSITIVE.matcher(property).matches()) {
            return "";
        }
        String text = String.valueOf(value);
        return ", not '" + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "'";
    }

    private static List<Class<?>> propertiesTypes(String basePackage) {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<Class<?>> types = new ArrayList<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents(basePackage)) {
            types.add(ClassUtils.resolveClassName(candidate.getBeanClassName(), SettingsCheck.class.getClassLoader()));
        }
        types.sort(Comparator.comparing(Class::getName));
        return types;
    }

    private static boolean httpUrl(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    }

    private static URI parse(String value) {
        try {
            return new URI(value.trim());
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName();
    }
}
