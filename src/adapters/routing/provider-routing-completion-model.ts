import type { ChannelProvider } from '../../domain/model/channel-settings.js';
import { CompletionError, type Completion, type CompletionModel, type CompletionRequest } from '../../domain/ports/completion-model.js';

/**
 * The configured model for every channel, and another provider's for a channel whose settings
 * chose it (`provider`). The others are made on first use, so a worker whose channels all use the
 * configured provider never loads another vendor's client. A provider that is not configured here
 * fails the completion for good (`model_provider_not_configured`): the channel gets its fallback text.
 */
export class ProviderRoutingCompletionModel implements CompletionModel {
  private readonly loaded = new Map<ChannelProvider, Promise<CompletionModel>>();

  constructor(
    readonly configured: CompletionModel,
    private readonly configuredProvider: string | undefined,
    private readonly others: Partial<Record<ChannelProvider, () => Promise<CompletionModel>>>,
  ) {}

  /** The providers a channel may choose besides the configured one. */
  get perChannel(): ChannelProvider[] {
    return Object.keys(this.others) as ChannelProvider[];
  }

  async complete(request: CompletionRequest, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<Completion> {
    const { provider } = request;
    if (!provider || provider === this.configuredProvider) return this.configured.complete(request, options);
    const load = this.others[provider];
    if (!load) throw new CompletionError(`the channel's provider ${provider} is not configured on this worker`, false, { reason: 'model_provider_not_configured' });
    let model = this.loaded.get(provider);
    if (!model) {
      model = load();
      this.loaded.set(provider, model);
      // A load that failed is tried again by the next call.
      model.catch(() => this.loaded.delete(provider));
    }
    return (await model).complete(request, options);
  }
}
