package io.statusstream.example;

import io.statusstream.spring.StatusStreams;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import java.security.Principal;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/** The bot API next to the streams: who am I, my bots, start and stop. */
@RestController
@RequestMapping("/api/v1")
class BotController {

    private final BotRepository bots;
    private final StatusStreams streams;
    private final Clock clock;

    BotController(BotRepository bots, StatusStreams streams, Clock clock) {
        this.bots = bots;
        this.streams = streams;
        this.clock = clock;
    }

    /** The user, and the CSRF cookie that the pages' POSTs need (rendering the token sets it). */
    @GetMapping("/me")
    Map<String, String> me(Principal principal, CsrfToken csrf) {
        csrf.getToken();
        return Map.of("name", principal.getName());
    }

    @GetMapping("/bots")
    List<BotConfig> myBots(Principal principal) {
        return bots.findByOwner(principal.getName());
    }

    @GetMapping("/bots/{id}")
    BotConfig bot(@PathVariable long id, Principal principal) {
        return owned(id, principal);
    }

    @PostMapping("/bots/{id}/start")
    Map<String, String> start(@PathVariable long id, Principal principal) {
        return setStatus(owned(id, principal), "running");
    }

    @PostMapping("/bots/{id}/stop")
    Map<String, String> stop(@PathVariable long id, Principal principal) {
        return setStatus(owned(id, principal), "stopped");
    }

    private Map<String, String> setStatus(BotConfig bot, String status) {
        if (!bots.updateStatus(bot.id(), status, OffsetDateTime.now(clock))) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, "bot " + bot.id() + " has no state yet");
        }
        // Our own write: push it now rather than at the next poll.
        streams.get("bots").touch(List.of(bot.id()));
        return Map.of("status", status);
    }

    private BotConfig owned(long id, Principal principal) {
        BotConfig bot = bots.findById(id)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no bot " + id));
        if (!bot.owner().equals(principal.getName())) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "bot " + id + " is not yours");
        }
        return bot;
    }
}
