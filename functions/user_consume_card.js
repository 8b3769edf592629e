// MinCloud's card tutorial (微信卡券消息处理): a "微信消息推送" trigger on
// Event = user_consume_card runs this function, which saves the push into a data table.
// Written exactly as a MinCloud function, so it runs unchanged on MinCloud and on cloudfn.
exports.main = function saveConsumedCard(event, callback) {
  const table = new BaaS.TableObject('user_consume_card');
  const record = table.create();
  record.set(event.data);
  record
    .save()
    .then((res) => {
      console.log('saved card', event.data.UserCardCode, 'as', res.data.id);
      callback(null, res.data);
    })
    .catch((err) => callback(err));
};
