import type { Command, Option } from 'commander';
import type { ListAnswer } from '../admin-client.ts';
import { clientFor, examples, JSON_FLAG, type Cli } from '../context.ts';
import { usageError } from '../errors.ts';
import { renderTable } from '../format/table.ts';
import { formatTime, json } from '../format/values.ts';

interface AccountRow {
  appId: string;
  mode: string;
  hasEncodingAESKey?: boolean;
  hasAppSecret?: boolean;
  updated_at?: string;
}

/** `cloudfn accounts set|list|delete`: the WeChat accounts whose pushes the engine accepts. */
export function registerAccounts(program: Command, cli: Cli): void {
  const accounts = program
    .command('accounts')
    .description('WeChat accounts (公众号 / 小程序) the engine receives pushes for');
  accounts.addHelpText(
    'after',
    examples(
      'cloudfn accounts set wx2c2769f8efd9abc2 --token spamtest --aes-key abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
    ),
  );

  accounts
    .command('set')
    .description('register or update an account: the Token and EncodingAESKey of 服务器配置')
    .argument('<appId>', 'the AppID (wx…)')
    .requiredOption('--token <token>', 'the Token (令牌) you entered in 服务器配置')
    .option(
      '--aes-key <key>',
      'the EncodingAESKey (43 characters), needed for 兼容模式 and 安全模式',
    )
    .addOption(modeOption(program))
    .option(
      '--app-secret <secret>',
      'the AppSecret (基本配置 → 开发者密码), for calling WeChat APIs; prefer --app-secret-env',
    )
    .option(
      '--app-secret-env <NAME>',
      'read the AppSecret from this environment variable (keeps it out of shell history)',
    )
    .option('--remove-app-secret', 'forget the AppSecret the engine holds')
    .option(...JSON_FLAG)
    .addHelpText(
      'after',
      examples(
        'cloudfn accounts set wx2c2769f8efd9abc2 --token spamtest --aes-key abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
        'cloudfn accounts set wxabc --token t0ken --mode plain',
        'WX_SECRET=… cloudfn accounts set wxabc --token t0ken --app-secret-env WX_SECRET',
      ) +
        '\nThe key and the AppSecret are never shown again; setting a new key keeps the previous one working during rotation; leaving --app-secret out keeps the one the engine holds.\n',
    )
    .action(
      async (
        appId: string,
        options: {
          token: string;
          aesKey?: string;
          mode?: string;
          appSecret?: string;
          appSecretEnv?: string;
          removeAppSecret?: boolean;
          json?: boolean;
        },
        command: Command,
      ) => {
        const appSecret = appSecretOf(options);
        const body = {
          token: options.token,
          ...(options.aesKey ? { encodingAESKey: options.aesKey } : {}),
          ...(options.mode ? { mode: options.mode } : {}),
          ...(appSecret !== undefined ? { appSecret } : {}),
        };
        const account = await clientFor(cli, command).call<AccountRow>(
          'PUT',
          `/wechat/accounts/${encodeURIComponent(appId)}`,
          { body },
        );
        if (options.json) return cli.io.out(json(account));
        const url = `${clientFor(cli, command).connection.url}/wechat/${account.appId}`;
        const secret = account.hasAppSecret ? ', AppSecret set' : '';
        cli.io.out(
          `Account ${account.appId} set (mode ${account.mode}${secret}). In 服务器配置, the URL is ${url} (behind your public HTTPS address).`,
        );
      },
    );

  accounts
    .command('list')
    .description('registered accounts and their mode (keys are never shown)')
    .option(...JSON_FLAG)
    .addHelpText('after', examples('cloudfn accounts list'))
    .action(async (options: { json?: boolean }, command: Command) => {
      const answer = await clientFor(cli, command).call<ListAnswer<AccountRow>>(
        'GET',
        '/wechat/accounts',
      );
      if (options.json) return cli.io.out(json(answer));
      if (answer.objects.length === 0)
        return cli.io.err(
          'No accounts yet: cloudfn accounts set <appId> --token <token> adds one.',
        );
      cli.io.out(
        renderTable(
          [
            { header: 'APPID', value: (a) => a.appId },
            { header: 'MODE', value: (a) => a.mode },
            { header: 'AES KEY', value: (a) => (a.hasEncodingAESKey ? 'set' : '-') },
            { header: 'APP SECRET', value: (a) => (a.hasAppSecret ? 'set' : '-') },
            { header: 'UPDATED', value: (a) => formatTime(a.updated_at) },
          ],
          answer.objects,
        ),
      );
    });

  accounts
    .command('delete')
    .description('forget an account: its pushes are refused from then on (404)')
    .argument('<appId>', 'the AppID')
    .option('--force', 'delete even if triggers use it')
    .addHelpText('after', examples('cloudfn accounts delete wx2c2769f8efd9abc2'))
    .action(async (appId: string, options: { force?: boolean }, command: Command) => {
      await clientFor(cli, command).call(
        'DELETE',
        `/wechat/accounts/${encodeURIComponent(appId)}`,
        {
          query: { force: options.force ? 'true' : undefined },
        },
      );
      cli.io.out(`Deleted account ${appId}.`);
    });
}

/**
 * The AppSecret to send: the flag's value, the named environment variable's, null to remove
 * it, or undefined to keep what the engine holds. Never printed, not even in an error.
 */
function appSecretOf(options: {
  appSecret?: string;
  appSecretEnv?: string;
  removeAppSecret?: boolean;
}): string | null | undefined {
  const given = [options.appSecret, options.appSecretEnv, options.removeAppSecret].filter(
    (v) => v !== undefined,
  );
  if (given.length > 1)
    throw usageError('Give one of --app-secret, --app-secret-env and --remove-app-secret.');
  if (options.removeAppSecret) return null;
  if (options.appSecretEnv !== undefined) {
    const value = process.env[options.appSecretEnv];
    if (value === undefined || value === '')
      throw usageError(
        `The environment variable ${options.appSecretEnv} (--app-secret-env) is not set.`,
        `Set it first: export ${options.appSecretEnv}=<AppSecret>.`,
      );
    return value;
  }
  if (options.appSecret === '') throw usageError('--app-secret is empty.');
  return options.appSecret;
}

function modeOption(program: Command): Option {
  return program
    .createOption(
      '--mode <mode>',
      'message encryption mode (消息加解密方式); default: safe with a key, else plain',
    )
    .choices(['plain', 'compatible', 'safe']);
}
