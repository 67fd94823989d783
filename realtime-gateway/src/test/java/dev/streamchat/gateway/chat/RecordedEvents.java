package dev.streamchat.gateway.chat;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

import dev.streamchat.gateway.socket.UserEvents;
import dev.streamchat.gateway.testing.Payloads;

/**
 * Records every event the gateway sends to a user's room (wrapping the real {@link UserEvents}, which still
 * delivers them to sockets), in emission order.
 */
final class RecordedEvents {

    record Emitted(String userId, String event, Map<String, Object> payload) {
        Object get(String key) {
            return payload.get(key);
        }
    }

    static final Queue<Emitted> ALL = new ConcurrentLinkedQueue<>();

    private RecordedEvents() {
    }

    static List<Emitted> ofStream(String streamId) {
        return ALL.stream().filter(e -> streamId.equals(e.payload().get("streamId"))).toList();
    }

    static List<Emitted> ofUser(String userId) {
        return ALL.stream().filter(e -> userId.equals(e.userId())).toList();
    }

    static boolean ended(String streamId) {
        return ofStream(streamId).stream().anyMatch(e -> e.event().equals("chat-stream-complete")
                || e.event().equals("chat-stream-error"));
    }

    /** The payload as a client sees it. */
    static Map<String, Object> asMap(Object payload) {
        return Payloads.asMap(payload);
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Wiring {
        @Bean
        static BeanPostProcessor recordUserEvents() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String beanName) {
                    // The primary UserEvents only (the node-local RoomEvents behind it would record every event twice).
                    if (bean instanceof UserEvents real && !(bean instanceof dev.streamchat.gateway.socket.RoomEvents)) {
                        return (UserEvents) (userId, event, payload) -> {
                            ALL.add(new Emitted(userId, event, asMap(payload)));
                            real.emit(userId, event, payload);
                        };
                    }
                    return bean;
                }
            };
        }
    }
}
