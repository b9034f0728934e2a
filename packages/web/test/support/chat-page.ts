/** Drives the web client the way a person does: by labels and keys. */
import type { Locator, Page } from 'playwright-core';

export class ChatPage {
  constructor(
    readonly page: Page,
    readonly username: string,
  ) {}

  async register(baseUrl: string, password: string): Promise<void> {
    await this.page.goto(baseUrl);
    await this.page.getByRole('button', { name: 'Create an account' }).click();
    await this.page.getByLabel('Username').fill(this.username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Register' }).click();
    await this.page.getByTestId('me').filter({ hasText: this.username }).waitFor();
  }

  async startChat(peer: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New chat' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New chat' });
    await dialog.getByLabel('Username').fill(peer);
    await dialog.getByLabel('Username').press('Enter');
    await this.page.getByTestId('chat-title').filter({ hasText: peer }).waitFor();
  }

  async createGroup(name: string, members: string[]): Promise<void> {
    await this.page.getByRole('button', { name: 'New group' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill(name);
    await dialog.getByLabel('Members').fill(members.join(', '));
    await dialog.getByRole('button', { name: 'Create group' }).click();
    await this.page.getByTestId('chat-title').filter({ hasText: name }).waitFor();
  }

  conversation(title: string): Locator {
    return this.page.locator(`[data-testid="conversation"][data-title="${title}"]`);
  }

  badge(title: string): Locator {
    return this.conversation(title).getByTestId('unread-badge');
  }

  async openConversation(title: string): Promise<void> {
    await this.conversation(title).click();
    await this.page.getByTestId('chat-title').filter({ hasText: title }).waitFor();
  }

  composer(): Locator {
    return this.page.getByTestId('composer');
  }

  async send(text: string): Promise<void> {
    await this.composer().fill(text);
    await this.composer().press('Enter');
  }

  /** Delivered messages in the open chat (not sends still waiting for an ack). */
  delivered(): Locator {
    return this.page.locator('[data-testid="message"][data-seq]');
  }

  pending(): Locator {
    return this.page.locator('[data-testid="message"][data-pending]');
  }

  /** The texts of the delivered messages, top to bottom. */
  async texts(): Promise<string[]> {
    return this.page.locator('[data-testid="message"][data-seq] .msg__text').allInnerTexts();
  }

  async countOf(text: string): Promise<number> {
    return (await this.texts()).filter((t) => t === text).length;
  }

  banner(): Locator {
    return this.page.getByTestId('connection-banner');
  }

  async scrollHistoryToTop(): Promise<void> {
    await this.page.getByTestId('messages').evaluate((el) => {
      el.scrollTop = 0;
    });
  }
}
